// Checkpoint storage: `_state` then `_metadata` (written last, when complete) in Flink's layout, checksums,
// retention of the last N, savepoints in a user directory, one plain error for any path that holds no snapshot; and the runner's snapshots that the
// cluster relies on (sinks' state included, stop right at the barrier, drain firing windows first).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import { instantiate } from '../../compiler/codegen/instantiate.js';
import { JobRunner } from '../../runtime/exec/job-runner.js';
import type { JobSnapshot } from '../../runtime/exec/snapshot.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';
import { CheckpointStorage, completeSnapshot, readCheckpoint, UnreadableCheckpointError, writeSavepoint } from '../../runtime/state/checkpoint-storage.js';
import { createLogger } from '../../runtime/core/log.js';
import { tempDir } from '../helpers/tables.js';
import { expectedSums, readParts } from './expected.js';

const snap = (n: number): JobSnapshot => ({ sources: { s: { rows: n } }, operators: { o: { sum: n } }, watermarks: {} });
const info = (id: number) => ({ id, jobName: 'J', timestamp: 1000 + id, durationMs: 5, operatorIds: ['s', 'o'] });

describe('checkpoint storage', () => {
  it('writes chk-<n>/_state, completes it with _metadata written last, lists completed ones and keeps the last N', async () => {
    const base = tempDir();
    const jobId = 'ab'.repeat(16);
    const storage = new CheckpointStorage(`file://${base}`, jobId);
    for (let id = 1; id <= 5; id++) {
      const pending = await storage.write(info(id), snap(id));
      expect(pending.path).toBe(path.join(base, jobId, `chk-${id}`));
      expect(pending.info.size).toBe(Buffer.byteLength(JSON.stringify(snap(id))));
      expect(pending.sha256).toBe(crypto.createHash('sha256').update(JSON.stringify(snap(id))).digest('hex'));
      // Written, not yet complete: not listed, not readable.
      expect(fs.readdirSync(pending.path)).toEqual(['_state']);
      expect((await storage.list()).map((c) => c.id)).not.toContain(id);
      await completeSnapshot(pending);
      expect(fs.readdirSync(pending.path).sort()).toEqual(['_metadata', '_state']);
    }
    // An unfinished checkpoint (no _metadata) is not listed.
    await storage.write(info(6), snap(6));
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

  it('verifies the state against its checksum: a changed byte is a corrupt checkpoint', async () => {
    const storage = new CheckpointStorage(tempDir(), 'cd'.repeat(16));
    const pending = await storage.write(info(1), snap(12345));
    await completeSnapshot(pending);
    const file = path.join(pending.path, '_state');
    // Still valid JSON of the right shape, one digit changed: only the checksum tells.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('12345', '12346'));
    await expect(readCheckpoint(pending.path)).rejects.toThrow(`'${pending.path}' is a corrupt checkpoint: its _state does not match the checksum in its _metadata`);
    await expect(readCheckpoint(pending.path)).rejects.toBeInstanceOf(UnreadableCheckpointError);
  });

  it('writes savepoints as savepoint-<job prefix>-<random> into a user directory; savepoints of the first format stay readable', async () => {
    const target = tempDir();
    const jobId = 'd3b73713a4153d616d89006b19e08931';
    const a = await writeSavepoint(target, { ...info(7), jobId }, snap(7));
    const b = await writeSavepoint(target, { ...info(8), jobId }, snap(8));
    expect(path.basename(a.path)).toMatch(/^savepoint-d3b737-[0-9a-f]{12}$/);
    expect(a.path).not.toBe(b.path);
    await expect(readCheckpoint(a.path)).rejects.toThrow(/is an incomplete savepoint/);
    await completeSnapshot(a);
    expect((await readCheckpoint(a.path)).info.kind).toBe('savepoint');
    const legacy = path.join(target, 'savepoint-d3b737-000000000000');
    fs.mkdirSync(legacy);
    fs.writeFileSync(path.join(legacy, '_metadata'), JSON.stringify({ format: 'sluice-checkpoint-v1', info: { ...info(9), jobId, kind: 'savepoint', size: 1 }, snapshot: snap(9) }));
    expect((await readCheckpoint(legacy)).snapshot).toEqual(snap(9));
  });

  it('says the same about any path that holds no snapshot, whether it exists or not, and quotes nothing from it', async () => {
    const dir = tempDir();
    const secret = path.join(dir, 'secret');
    fs.writeFileSync(secret, 'root:x:0:0:root:/root:/bin/bash\n');
    fs.writeFileSync(path.join(dir, '_metadata'), '{"hello":1}');
    const message = async (p: string) => (await readCheckpoint(p).catch((e: Error) => e) as Error).message;
    expect(await message(path.join(dir, 'nope'))).toBe(`'${path.join(dir, 'nope')}' is not a readable savepoint`);
    expect(await message(secret)).toBe(`'${secret}' is not a readable savepoint`);
    expect(await message(dir)).toBe(`'${dir}' is not a readable savepoint`);
    expect(await message('/dev/zero')).toBe(`'/dev/zero' is not a readable savepoint`);
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
