// Jobs run as parallel subtasks (worker threads, hash exchanges, local-global aggregation, split sources,
// per-subtask sinks) give the results of an independent computation at -p 1, 2 and 3; a checkpoint taken at
// -p 2 (aligned barriers) restores exactly; a parallelism that cannot be honoured is an error.
import { copyFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import { ParallelRunner } from '../../runtime/exec/parallel/parallel-runner.js';
import type { JobSnapshot } from '../../runtime/exec/snapshot.js';
import { completeSnapshot, writeSavepoint } from '../../runtime/state/checkpoint-storage.js';
import { checkpointMidRun, compiledBundle } from '../helpers/bundles.js';
import { node, sluice } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';
import { readOutput, writeInput } from './clicks-files.js';

const FIXTURE = 'test/parallel/fixtures/sequence-job.ts';
let input: string;
let expected: string[];

/** The bundle compiled for `out` (reading `from`, by default the shared input), and its job. */
const compiled = (out: string, from = input) => compiledBundle(FIXTURE, ['--in', from, '--out', out]);

beforeAll(() => {
  input = tempDir();
  expected = writeInput(input);
});

describe('parallel subtasks', () => {
  it.each([1, 2, 3])('windows per page at -p %i equal an independent count over 6 file splits', async (p) => {
    const out = tempDir();
    const { job, file } = await compiled(out);
    await runCompiled(job, { parallelism: p, bundle: file });
    expect(readOutput(out)).toEqual(expected);
    // Each subtask writes its own part files.
    expect(readdirSync(out).map((f) => f.split('-')[1]).sort()).toEqual(Array.from({ length: p }, (_, i) => String(i)));
  }, 120_000);

  it('a checkpoint at -p 2 (aligned barriers) restores exactly: resumed from it, the job rewrites the same windows', async () => {
    const out = tempDir();
    const { job, file } = await compiled(out);
    const snap: JobSnapshot = await checkpointMidRun(job, file, 2);
    expect(snap.parallelism).toBe(2);
    expect(snap.subtasks).toHaveLength(2);
    // Taken mid-input: some subtask was still in a file.
    expect(snap.subtasks!.some((part) => Object.values(part.sources).some((pos) => (pos as { file: string | null }).file !== null))).toBe(true);
    // The second run cuts the part files back to the checkpoint and goes on from its positions and windows.
    const second = new ParallelRunner(job.plan, { parallelism: 2, bundle: file, restore: JSON.parse(JSON.stringify(snap)) as JobSnapshot });
    await second.run();
    expect(readOutput(out)).toEqual(expected);
    // Another parallelism is refused until snapshots are redistributed by key group.
    await expect(new ParallelRunner(job.plan, { parallelism: 3, bundle: file, restore: snap }).run()).rejects.toThrow(/parallelism 2/);
  }, 120_000);

  it('--allow-non-restored-state at -p 2 and -p 3: a savepoint of another job taken at -p 2 is refused without it, skipped with it', async () => {
    const { job, file } = await compiled(tempDir());
    const first = new ParallelRunner(job.plan, { parallelism: 2, bundle: file });
    const done = first.run();
    await first.started;
    const snap = await first.snapshot();
    await done;
    const sp = await writeSavepoint(tempDir(), { id: 1, jobId: 'a'.repeat(32), jobName: job.plan.name, timestamp: Date.now(), durationMs: 0, operatorIds: job.plan.nodes.map((n) => n.id) }, snap);
    await completeSnapshot(sp);
    // Another job: the same query over other files, so none of its operators with state has an id of the savepoint.
    const other = tempDir();
    writeInput(other);
    for (const p of [2, 3]) {
      const out = tempDir();
      const b = await compiled(out, other);
      const stateful = (c: CompiledBundle) => c.plan.nodes.filter((n) => n.kind === 'source' || n.kind === 'windowAggregate' || n.kind === 'sink').map((n) => n.id);
      expect(stateful(b.job).filter((id) => stateful(job).includes(id))).toEqual([]);
      const refused = sluice(['run', '-s', sp.path, '-p', String(p), b.file]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/the snapshot has state for operator [0-9a-f]+, which is not in this job\n\s+hint: run with --allow-non-restored-state/);
      expect(readdirSync(out)).toEqual([]);
      // Skipped (at -p 3 too, where the old job's file positions, which have no split assignment, would not map).
      const allowed = sluice(['run', '-s', sp.path, '-p', String(p), '--allow-non-restored-state', b.file]);
      expect(allowed.stderr).not.toMatch(/error/);
      expect(allowed.status).toBe(0);
      expect(readOutput(out)).toEqual(expected);
    }
  }, 180_000);

  it('sluice run -p 2: a running aggregate over a datagen sequence split in two ranges, printed with Flink\'s subtask prefix', () => {
    const r = sluice(['run', FIXTURE, '-p', '2', '--', '--totals', '--rows', '7000']);
    expect(r.stderr).not.toMatch(/error/);
    const last = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^([12])> \+[IU]\[(\d+), (\d+), (\d+)\]$/.exec(line);
      if (m) last.set(m[2], `${m[3]},${m[4]}`);
    }
    const want = new Map<string, string>();
    for (let k = 0; k < 7; k++) {
      let c = 0; let s = 0;
      for (let id = 1; id <= 7000; id++) if (id % 7 === k) { c++; s += id; }
      want.set(String(k), `${c},${s}`);
    }
    expect(last).toEqual(want);
    expect(r.stdout).toMatch(/^1> /m);
    expect(r.stdout).toMatch(/^2> /m);
  }, 120_000);

  it('node bundle.mjs -p 2, with no node_modules and no TypeScript loader: the subtasks start from the bundle and write the exact windows', async () => {
    const out = tempDir();
    const { file } = await compiled(out);
    // Outside the repository: nothing but the bundle itself can be loaded (no tsx, no runtime sources).
    const alone = path.join(tempDir(), 'job.mjs');
    copyFileSync(file, alone);
    const r = node([alone, '-p', '2'], path.dirname(alone));
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(readOutput(out)).toEqual(expected);
    expect(new Set(readdirSync(out).map((f) => f.split('-')[1]))).toEqual(new Set(['0', '1']));
  }, 120_000);

  it('at -p 2 a table swapped to a connector the bundle does not carry is an error before anything opens (its subtasks run on the bundle\'s runtime)', async () => {
    const out = tempDir();
    const { file } = await compiled(out);
    const r = sluice(['run', file, '-p', '2', '--set', 'windows.connector=kafka', '--set', 'windows.topic=t', '--set', 'windows.format=csv',
      '--set', 'windows.properties.bootstrap.servers=127.0.0.1:1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/table 'windows': connector 'kafka' is not in this bundle/);
    expect(r.stderr).toMatch(/sluice compile --connector kafka.*parallel subtasks run on the bundle's own runtime/);
    expect(readdirSync(out)).toEqual([]);
  }, 120_000);

  it('a bundle started as a subtask by another version of the subtask protocol refuses, naming the versions', async () => {
    const { file } = await compiled(tempDir());
    const w = new Worker(file, { workerData: { sluiceSubtask: 999 } });
    const msg = await new Promise<{ type: string; error?: { name: string; message: string; hint?: string } }>((resolve) => w.once('message', resolve));
    await w.terminate();
    expect(msg.type).toBe('done');
    expect(msg.error?.name).toBe('UserError');
    expect(msg.error?.message).toMatch(/subtask protocol is version \d+, the runner's 999/);
    expect(msg.error?.hint).toMatch(/recompile/);
  }, 60_000);

  it('a parallelism that cannot be honoured is an error', () => {
    const r = sluice(['run', FIXTURE, '-p', '200', '--', '--totals']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/parallelism 200 is above pipeline.max-parallelism 128/);
  }, 60_000);
});
