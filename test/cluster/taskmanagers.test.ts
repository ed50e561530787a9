// `sluice cluster start --taskmanagers n`: n taskmanager daemons with --slots slots each register with the
// jobmanager (REST /taskmanagers, `cluster status`), and a bad count is refused before anything starts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sluiceIn, TestCluster } from './helpers.js';
import { tempDir } from '../helpers/tables.js';

describe('cluster start --taskmanagers', () => {
  let cluster: TestCluster | null = null;
  afterAll(() => { cluster?.stop(); });

  it('starts n taskmanagers with the given slots; status lists them', async () => {
    cluster = await TestCluster.start({ slots: 1, args: ['--taskmanagers', '3'] });
    const { json } = await cluster.rest('GET', '/taskmanagers');
    expect(json.taskmanagers).toHaveLength(3);
    expect(json.taskmanagers.map((t: { slotsNumber: number }) => t.slotsNumber)).toEqual([1, 1, 1]);
    expect(new Set(json.taskmanagers.map((t: { pid: number }) => t.pid)).size).toBe(3);
    for (const i of [1, 2, 3]) expect(fs.existsSync(path.join(cluster.dir, `taskmanager-${i}.pid`))).toBe(true);
    const status = cluster.sluice(['cluster', 'status']);
    expect(status.status).toBe(0);
    expect(status.stdout.match(/^Taskmanager .*1 slot \(1 free\)$/gm)).toHaveLength(3);
    const stopped = cluster.stop();
    expect(stopped.stdout.match(/Stopped taskmanager \d/g)).toHaveLength(3);
    cluster = null;
  });

  it('refuses a count that is not a whole number from 0', () => {
    const dir = tempDir('sluice-cluster-');
    const r = sluiceIn(['cluster', 'start', '--dir', dir, '--rest-port', '0', '--taskmanagers', '-1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--taskmanagers -1: expected a whole number from 0 to 64/);
    expect(fs.existsSync(path.join(dir, 'jobmanager.pid'))).toBe(false);
  });
});
