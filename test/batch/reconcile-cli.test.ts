// `sluice reconcile` refuses what it cannot reconcile with exit 2 and the reason (no stack needed): a job on
// processing time, and a job whose streaming run cannot be found.
import { describe, expect, it } from 'vitest';
import { sluice } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';

describe('sluice reconcile: exit 2 with the reason', () => {
  it('the click count on processing time: its results depend on wall-clock time', () => {
    const r = sluice(['reconcile', 'jobs/click-event-count.ts']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/windows on processing time \('proc'\): its results depend on when records arrived/);
    expect(r.stderr).toMatch(/hint: .*--event-time/);
  });

  it('no cluster and no --checkpoint: says where the run could come from', () => {
    const r = sluice(['reconcile', '--dir', tempDir(), '-m', '127.0.0.1:1', 'jobs/spend-report.ts']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error: no cluster to find the streaming run of 'Spend Report' in/);
    expect(r.stderr).toMatch(/--checkpoint/);
  });
});
