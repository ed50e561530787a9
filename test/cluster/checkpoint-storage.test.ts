// Checkpoint storage: atomic `_metadata` files in Flink's layout, retention of the last N, savepoints in a
// user directory, clear errors for paths that hold no savepoint; and the runner's snapshots that the
// cluster relies on (sinks' state included, stop right at the barrier, drain firing windows first).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import { instantiate } from '../../compiler/codegen/instantiate.js';
import { JobRunner, type JobSnapshot } from '../../runtime/exec/job-runner.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';
import { CheckpointStorage, readCheckpoint, writeSavepoint } from '../../runtime/state/checkpoint-storage.js';
import { createLogger } from '../../runtime/core/log.js';
import { tempDir } from '../helpers/tables.js';
import { expectedSums, readParts } from './expected.js';

const snap = (n: number): JobSnapshot => ({ sources: { s: { rows: n } }, operators: { o: { sum: n } }, watermarks: {} });
const info = (id: number) => ({ id, jobName: 'J', timestamp: 1000 + id, durationMs: 5, operatorIds: ['s', 'o'] });

describe('checkpoint storage', () => {
  it('writes chk-<n>/_metadata atomically, lists completed ones and keeps the last N', async () => {
    const base = tempDir();
    const jobId = 'ab'.repeat(16);
    const storage = new CheckpointStorage(`file://${base}`, jobId);
    for (let id = 1; id <= 5; id++) {
      const { path: p, info: i } = await storage.write(info(id), snap(id));
      expect(p).toBe(path.join(base, jobId, `chk-${id}`));
      expect(i.size).toBe(Buffer.byteLength(JSON.stringify(snap(id))));
      expect(fs.readdirSync(p)).toEqual(['_metadata']);
    }
    // An unfinished checkpoint (no _metadata) is not listed.
    fs.mkdirSync(path.join(base, jobId, 'chk-6'));
    expect((await storage.list()).map((c) => c.id)).toEqual([1, 2, 3, 4, 5]);
    expect(await storage.highestId()).toBe(6);
    // Retention keeps what the jobmanager accepted; an unfinished directory above the newest stays (it may be in progress).
    expect((await storage.retain([3, 4, 5])).sort()).toEqual([1, 2]);
    expect((await storage.list()).map((c) => c.id)).toEqual([3, 4, 5]);
    expect(fs.existsSync(path.join(base, jobId, 'chk-6'))).toBe(true);
    // A leftover below the newest accepted one (a cut-off attempt's) goes.
    fs.mkdirSync(path.join(base, jobId, 'chk-2'));
    expect(await storage.retain([4, 5, 7])).toEqual(expect.arrayContaining([2, 3, 6]));
    expect((await storage.list()).map((c) => c.id)).toEqual([4, 5]);
    const read = await readCheckpoint(storage.checkpointPath(5));
    expect(read.info).toMatchObject({ kind: 'checkpoint', id: 5, jobId, operatorIds: ['s', 'o'] });
    expect(read.snapshot).toEqual(snap(5));
    // The _metadata file and a file: URI name the same checkpoint; a checkpoint is never overwritten.
    expect((await readCheckpoint(`file:${storage.checkpointPath(4)}/_metadata`)).snapshot).toEqual(snap(4));
    await expect(storage.write(info(5), snap(99))).rejects.toThrow(/EEXIST/);
    expect((await readCheckpoint(storage.checkpointPath(5))).snapshot).toEqual(snap(5));
  });

  it('writes savepoints as savepoint-<job prefix>-<random> into a user directory', async () => {
    const target = tempDir();
    const jobId = 'd3b73713a4153d616d89006b19e08931';
    const a = await writeSavepoint(target, { ...info(7), jobId }, snap(7));
    const b = await writeSavepoint(target, { ...info(8), jobId }, snap(8));
    expect(path.basename(a.path)).toMatch(/^savepoint-d3b737-[0-9a-f]{12}$/);
    expect(a.path).not.toBe(b.path);
    expect((await readCheckpoint(a.path)).info.kind).toBe('savepoint');
  });

  it('names what is wrong with a path that holds no savepoint', async () => {
    const dir = tempDir();
    await expect(readCheckpoint(path.join(dir, 'nope'))).rejects.toThrow(/no savepoint or checkpoint at/);
    await expect(readCheckpoint(dir)).rejects.toThrow(/holds no _metadata/);
    fs.writeFileSync(path.join(dir, '_metadata'), '{"hello":1}');
    await expect(readCheckpoint(dir)).rejects.toThrow(/not a sluice savepoint/);
  });
});

describe('runner snapshots for the cluster', () => {
  // Operator ids derive from the compiled plan (options included); run-time --set keeps them, as a resumed job does.
  async function runner(rows: number, rate: number, out: string, restore: JobSnapshot | null = null) {
    const compiled = await compileJob('test/cluster/fixtures/windowed-sums.ts', { args: ['--rows', String(rows), '--output', out] });
    const plan = applyOverrides(compiled.plan, { sets: [`numbers.rows-per-second=${rate}`] });
    const code = instantiate(compiled.code.factory, {});
    return new JobRunner(plan, { code, restore, log: createLogger('test', 'warn') });
  }

  it('stop at the barrier, then restore: the output equals an uninterrupted run, no line twice', async () => {
    const out = path.join(tempDir(), 'out');
    const first = await runner(3000, 6000, out);
    const running = first.run();
    await first.started;
    await new Promise((r) => setTimeout(r, 200));
    const snapshot = JSON.parse(JSON.stringify(await first.snapshot({ stop: true }))) as JobSnapshot;
    await running;
    const emitted = (snapshot.sources[Object.keys(snapshot.sources)[0]] as { rows: number }).rows;
    expect(emitted).toBeGreaterThan(0);
    expect(emitted).toBeLessThan(3000);
    // The sink's position is part of the snapshot, and nothing was written after it.
    const sinkState = Object.values(snapshot.operators).find((s) => (s as { part?: number }).part !== undefined);
    expect(sinkState).toBeDefined();
    const second = await runner(3000, 100_000, out, snapshot);
    await second.run();
    expect(readParts(out)).toEqual(expectedSums(3000));
  });

  it('drain ends the input first: every window fires before the savepoint', async () => {
    const out = path.join(tempDir(), 'out');
    const r = await runner(3000, 6000, out);
    const running = r.run();
    await r.started;
    await new Promise((res) => setTimeout(res, 200));
    const snapshot = await r.snapshot({ stop: true, drain: true });
    await running;
    const emitted = (Object.values(snapshot.sources)[0] as { rows: number }).rows;
    // Windows up to the last id read have all fired: the output holds every id read so far.
    const lines = readParts(out);
    const total = lines.reduce((s, l) => s + Number(l.split(',')[3]), 0);
    expect(total).toBe(emitted);
    expect(r.times.size).toBe(1);
    const t = [...r.times.values()][0];
    expect(t.idleMs + t.busyMs).toBeGreaterThan(0);
  });
});
