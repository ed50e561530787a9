// Memory stays bounded with backpressure at -p 3 (issue 18.7(d)). The credit-based exchange (channels.ts): a
// sender has at most CREDITS messages of at most MESSAGE_ROWS elements in flight per channel, queues the rest
// and holds its source back until credit comes; a receiver whose sinks are full returns no credit. End to end:
// an unthrottled datagen sequence at -p 3, through the hash exchange into a print sink whose stdout the test
// does not read for seconds: while it is blocked the job's memory does not grow, the peak stays under the stated
// bound, and once read the printed totals are exact.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { Row } from '../../runtime/core/row.js';
import { CREDITS, Inbox, MESSAGE_ROWS, Outbox, type ChannelMessage } from '../../runtime/exec/parallel/channels.js';
import { tempDir } from '../helpers/tables.js';

const metrics = () => new JobMetrics().operator('x', 'exchange');
const rows = (n: number, from = 0): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i }));

describe('credit-based exchange', () => {
  it('a sender has at most CREDITS messages of at most MESSAGE_ROWS rows in flight, queues the rest and holds its source back', async () => {
    const posted: ChannelMessage[] = [];
    const pending: Promise<void>[] = [];
    // Everything to subtask 1 of 3 (this is subtask 0).
    const out = new Outbox(0, 0, 3, (els) => new Int32Array(els.length).fill(1), { post: (to, m) => { expect(to).toBe(1); posted.push(m); } }, pending, metrics());
    out.local = new Inbox(0, 0, 3, { post: () => {} }, async () => {}, () => false, metrics());
    for (let b = 0; b < 20; b++) out.process(rows(100, b * 100), null);
    out.process(rows(5000, 2000), null); // a large batch goes in messages of MESSAGE_ROWS at most
    const data = () => posted.filter((m): m is Extract<ChannelMessage, { t: 'data' }> => m.t === 'data');
    expect(data()).toHaveLength(CREDITS);
    expect(pending).toHaveLength(1);
    let drained = false;
    void pending[0].then(() => (drained = true));
    // Credits come back one by one: one more message each, in order; the large batch in chunks.
    while (!drained) {
      out.onCredit(1, 1);
      await Promise.resolve();
    }
    expect(data().every((m) => m.rows.length <= MESSAGE_ROWS)).toBe(true);
    expect(data().flatMap((m) => m.rows as Row[]).map((r) => r.id)).toEqual(Array.from({ length: 7000 }, (_, i) => i));
    expect(data().filter((m) => m.rows.length > 100)).toHaveLength(Math.ceil(5000 / MESSAGE_ROWS));
  });

  it('a receiver whose sinks are full returns the credit only once they have room', async () => {
    const credits: ChannelMessage[] = [];
    let full = true;
    let room!: () => void;
    const inbox = new Inbox(0, 1, 3, { post: (_to, m) => credits.push(m) }, () => new Promise<void>((r) => (room = r)), () => full, metrics());
    const got: Row[] = [];
    inbox.outputs.push({ process: (r) => { got.push(...r); }, watermark: () => {}, endInput: () => {} });
    inbox.handle(0, { t: 'data', x: 0, rows: rows(10), kinds: null });
    await Promise.resolve();
    expect(got).toHaveLength(10);
    expect(credits).toEqual([]);
    full = false;
    room();
    await new Promise((r) => setImmediate(r));
    expect(credits).toEqual([{ t: 'credit', x: 0, n: 1 }]);
  });
});

/** Bound on the resident memory of the -p 3 job below (4 threads' heaps, 20 000 keys of state, what is in flight). */
const RSS_BOUND_MB = 600;
/** What it may grow while its output is not read (GC noise; no row piles up anywhere). */
const BLOCKED_GROWTH_MB = 60;
const ROWS = 300_000;
const KEYS = 20_000;

const rssMb = (pid: number) => {
  try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024; } catch { return 0; }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('backpressure at -p 3', () => {
  it('an unthrottled source into a print sink nobody reads: memory stays flat while blocked and under the bound, totals exact', async () => {
    const file = path.join(tempDir(), 'job.mjs');
    await compileJob('test/parallel/fixtures/sequence-job.ts', { args: ['--totals', '--rows', String(ROWS), '--keys', String(KEYS)], out: file });
    const child = spawn(process.execPath, [file, '-p', '3'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, SLUICE_LOG_LEVEL: 'info' } });
    child.stdout.pause();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!))), 50);
    try {
      while (!stderr.includes('all subtasks are running')) {
        expect(child.exitCode, stderr).toBeNull();
        await sleep(50);
      }
      // The pipe and the threads' stdout buffers fill within a moment; then the sinks wait, and so do the sources.
      await sleep(2000);
      const blockedAt = rssMb(child.pid!);
      await sleep(3000);
      const blockedGrowth = rssMb(child.pid!) - blockedAt;
      expect(child.exitCode, 'the job ended while its output was not read: nothing held it back').toBeNull();
      expect(blockedGrowth).toBeLessThan(BLOCKED_GROWTH_MB);

      let text = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (text += d));
      child.stdout.resume();
      expect(await exited, stderr).toBe(0);
      expect(peak).toBeLessThan(RSS_BOUND_MB);

      // Each key belongs to one subtask, whose lines come in order: its last line is its total.
      const last = new Map<number, string>();
      for (const line of text.split('\n')) {
        const m = /^[123]> [+-][IU]\[(\d+), (\d+), (\d+)\]$/.exec(line);
        if (m && line.includes('+')) last.set(Number(m[1]), `${m[2]},${m[3]}`);
      }
      const want = new Map<number, string>();
      for (let k = 0; k < KEYS; k++) {
        // ids 1..ROWS with id % KEYS = k
        let c = 0; let s = 0;
        for (let id = k === 0 ? KEYS : k; id <= ROWS; id += KEYS) { c++; s += id; }
        want.set(k, `${c},${s}`);
      }
      expect(last).toEqual(want);
    } finally {
      clearInterval(sampler);
      if (child.exitCode === null) child.kill();
    }
  }, 180_000);
});
