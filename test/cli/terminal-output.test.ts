// The terminal output for people (issue 17.4), with streams that say whether they are a terminal: the
// progress line of compile / run -d and the live status line of a foreground run are drawn only on a
// terminal and never mixed into the job's own lines; piped, both write nothing. Log lines are readable text
// unless SLUICE_LOG_FORMAT=json.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress } from '../../runtime/cli/progress.js';
import { StatusLine, statusText } from '../../runtime/cli/status-line.js';
import { createLogger } from '../../runtime/core/log.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { JobPlan } from '../../runtime/core/plan.js';
import { sluice } from '../helpers/cli.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  const s = Object.assign(new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }), { isTTY, columns: 200 }) as unknown as NodeJS.WriteStream;
  return { s, text: () => chunks.join('') };
}

const plan = { nodes: [{ kind: 'source', id: 's' }, { kind: 'sink', id: 'k' }] } as unknown as JobPlan;

function runner(read: number, written: number, watermark?: number) {
  const metrics = new JobMetrics();
  metrics.operator('s', 'source').recordsOut = read;
  metrics.operator('k', 'sink').recordsIn = written;
  return { metrics, watermarks: new Map(watermark === undefined ? [] : [['s', watermark]]) };
}

describe('terminal output', () => {
  it('progress: one line rewritten per step on a terminal, a summary at the end; nothing when piped', () => {
    const tty = stream(true);
    const p = new Progress('compiling jobs/x.ts', tty.s);
    p.step('planning');
    p.step('bundling');
    p.done('compiled jobs/x.ts');
    expect(tty.text()).toMatch(/^\r\x1b\[Kcompiling jobs\/x\.ts: planning \.\.\.\r\x1b\[Kcompiling jobs\/x\.ts: bundling \.\.\.\r\x1b\[Kcompiled jobs\/x\.ts \(\d+\.\d s\)\n$/);
    const piped = stream(false);
    const q = new Progress('compiling jobs/x.ts', piped.s);
    q.step('planning');
    q.done('compiled');
    expect(piped.text()).toBe('');
  });

  it('the status line says records in and out, the rate, the watermark and the last checkpoint', () => {
    const t0 = Date.UTC(2026, 11, 2, 17, 0, 0);
    const { text } = statusText({ plan, runner: runner(12_345, 678, Date.UTC(2026, 11, 2, 16, 59, 30)), lastCheckpoint: () => ({ id: 3, at: t0 - 4000 }) },
      t0, t0 - 65_000, { at: t0 - 1000, read: 11_345 });
    expect(text).toBe('running 1:05 · in 12,345 · 1,000/s · out 678 · watermark 2026-12-02 16:59:30.000 · checkpoint 3 4 s ago');
    expect(statusText({ plan, runner: runner(0, 0) }, t0, t0, null).text).toBe('running 0:00 · in 0 · out 0');
  });

  it('the status line is erased before each line the job writes and drawn again after it; piped, there is none', async () => {
    const err = stream(true);
    const out = stream(true);
    const line = StatusLine.start({ plan, runner: runner(5, 2) }, err.s, out.s)!;
    await new Promise((r) => setTimeout(r, 1100));
    out.s.write('+I[1, 2]\n');
    line.stop();
    out.s.write('+I[3, 4]\n');
    // One terminal: stderr's and stdout's writes in order.
    expect(err.text()).toMatch(/^running 0:01 · in 5 · out 2\r\x1b\[Krunning 0:01 · in 5 · out 2\r\x1b\[K$/);
    expect(out.text()).toBe('+I[1, 2]\n+I[3, 4]\n');
    expect(StatusLine.start({ plan, runner: runner(0, 0) }, stream(false).s, stream(true).s)).toBeNull();
  });

  it('log lines are readable text when stderr is not a terminal (piped, a file), JSON only when asked', () => {
    const saved = process.env.SLUICE_LOG_FORMAT;
    delete process.env.SLUICE_LOG_FORMAT;
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((c: string) => { written.push(String(c)); return true; }) as typeof process.stderr.write;
    try {
      expect(process.stderr.isTTY).toBeFalsy();
      createLogger('t').info({ a: 1 }, 'hello');
    } finally {
      process.stderr.write = original;
      if (saved !== undefined) process.env.SLUICE_LOG_FORMAT = saved;
    }
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\d\d:\d\d:\d\d INFO  hello  a=1\n$/);
    const bad = sluice(['--log-format', 'xml', 'udfs']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/error: --log-format xml: expected one of text, json/);
  });
});
