// A job submitted to the session cluster with -p 2 runs its 2 subtasks in one taskmanager (2 slots, slot
// sharing) and its windows equal an independent count over the file splits; what REST shows of a sink's rows
// (the output sample) takes in every subtask's, and REST shows figures per subtask as Flink's.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyGroupFunction, subtaskOf } from '../../runtime/exec/key-groups.js';
import { compileFixture, jobIdOf, TestCluster } from '../cluster/helpers.js';
import { tempDir } from '../helpers/tables.js';
import { readOutput, writeInput } from './clicks-files.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ slots: 2 });
}, 120_000);

afterAll(() => {
  cluster?.stop();
});

describe('parallel subtasks in the session cluster', () => {
  it('sluice run -d -p 2: the job holds 2 slots, runs 2 subtasks and writes the exact windows', async () => {
    const input = tempDir();
    const expected = writeInput(input);
    const out = tempDir();
    const bundle = compileFixture('test/parallel/fixtures/sequence-job.ts', ['--in', input, '--out', out]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', '-p', '2', bundle]));
    await cluster.waitForState(jobId, 'FINISHED', 90_000);
    expect(readOutput(out)).toEqual(expected);
    // Subtask 0 and 1 wrote their own part files.
    expect(new Set(readdirSync(out).map((f) => f.split('-')[1]))).toEqual(new Set(['0', '1']));
  }, 150_000);

  it('GET /jobs/:jobid/output-sample at -p 2: the rows both subtasks\' sink wrote, each a true running count and sum', async () => {
    // Keys id % 7 of a sequence split in two ranges; the running aggregate of each key is in the subtask owning
    // its key group, and both subtasks own some (so a sample of one subtask alone would miss keys).
    const owner = keyGroupFunction([{ name: 'BIGINT', nullable: false }] as never, 128);
    expect(new Set([0, 1, 2, 3, 4, 5, 6].map((k) => subtaskOf(owner([k]), 128, 2)))).toEqual(new Set([0, 1]));
    const bundle = compileFixture('test/parallel/fixtures/sequence-job.ts', ['--totals', '--rows', '10000000', '--rate', '2000']);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', '-p', '2', bundle]));
    await cluster.waitForState(jobId, 'RUNNING', 90_000);
    const seen = new Set<string>();
    await cluster.waitFor('rows of all 7 keys in the sample', async () => {
      const r = (await cluster.rest('GET', `/jobs/${jobId}/output-sample`)).json;
      expect(r.sinks).toHaveLength(1);
      for (const row of r.sinks[0].rows as string[]) {
        const m = /^([+-][IU])\[(\d+), (\d+), (\d+)\]$/.exec(row);
        expect(m, row).not.toBeNull();
        const [k, c, sum] = [Number(m![2]), Number(m![3]), Number(m![4])];
        // Every id counted under key k is ≡ k (mod 7), so any running sum of c of them is ≡ c·k (mod 7).
        expect((sum - c * k) % 7, row).toBe(0);
        seen.add(String(k));
      }
      return seen.size === 7;
    }, 120_000);
    expect((await cluster.rest('PATCH', `/jobs/${jobId}?mode=cancel`)).status).toBe(202);
    await cluster.waitForState(jobId, 'CANCELED', 60_000);
  }, 300_000);

  it('per-subtask REST at -p 2 as Flink\'s: vertices with parallelism 2, subtasks/metrics (aggregated, ?subtasks=), watermarks, backpressure, subtask hosts; sluice list', async () => {
    // 40 000 ids in two datagen ranges of 20 000, at 2000 rows/s each: every source subtask emits 20 000 rows.
    const bundle = compileFixture('test/parallel/fixtures/sequence-job.ts', ['--totals', '--rows', '40000', '--rate', '4000']);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', '-p', '2', bundle]));
    await cluster.waitForState(jobId, 'RUNNING', 90_000);
    const job = await cluster.job(jobId);
    expect(job.vertices.length).toBeGreaterThanOrEqual(2);
    for (const v of job.vertices) expect(v).toMatchObject({ parallelism: 2, maxParallelism: 128 });
    expect(job.plan.nodes.map((n: any) => n.parallelism)).toEqual(job.vertices.map(() => 2));
    expect(cluster.sluice(['list']).stdout).toMatch(new RegExp(`${jobId} : parallel test job \\(RUNNING\\) \\[parallelism 2\\]`));
    const source = job.vertices[0].id;
    const base = `/jobs/${jobId}/vertices/${source}`;
    const details = (await cluster.rest('GET', base)).json;
    expect(details.parallelism).toBe(2);
    expect(details.subtasks.map((s: any) => s.subtask)).toEqual([0, 1]);
    for (const s of details.subtasks) expect(s).toMatchObject({ host: expect.any(String), 'taskmanager-id': expect.any(String) });
    // Both subtasks read while the job runs.
    await cluster.waitFor('both source subtasks emitting', async () => {
      const per = await Promise.all([0, 1].map(async (i) => (await cluster.rest('GET', `${base}/subtasks/metrics?get=numRecordsOut&subtasks=${i}`)).json[0]?.sum ?? 0));
      return per.every((n) => n > 0);
    }, 60_000);
    const names = (await cluster.rest('GET', `${base}/subtasks/metrics`)).json.map((m: any) => m.id);
    expect(names).toEqual(expect.arrayContaining(['numRecordsOut', 'busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond']));
    const agg = (await cluster.rest('GET', `${base}/subtasks/metrics?get=numRecordsOut`)).json[0];
    expect(Object.keys(agg).sort()).toEqual(['avg', 'id', 'max', 'min', 'sum']);
    expect(agg.min).toBeLessThanOrEqual(agg.max);
    expect(agg.avg).toBeCloseTo(agg.sum / 2);
    expect((await cluster.rest('GET', `${base}/subtasks/metrics?get=numRecordsOut&agg=sum,max`)).json[0]).toEqual({ id: 'numRecordsOut', sum: agg.sum, max: agg.max });
    const marks = (await cluster.rest('GET', `${base}/watermarks`)).json;
    expect(marks.map((m: any) => m.id)).toEqual(['0.currentInputWatermark', '1.currentInputWatermark']);
    const bp = await cluster.waitFor('backpressure figures', async () => {
      const r = (await cluster.rest('GET', `${base}/backpressure`)).json;
      return r.status === 'ok' && r;
    });
    expect(bp.subtasks.map((s: any) => s.subtask)).toEqual([0, 1]);
    for (const s of bp.subtasks) expect(s['backpressure-level']).toMatch(/^(ok|low|high)$/);
    // Each range holds 20 000 ids, so no source subtask emits more; the vertex's figure in /jobs/:jobid is their sum.
    const [s0, s1] = await Promise.all([0, 1].map(async (i) => (await cluster.rest('GET', `${base}/subtasks/metrics?get=numRecordsOut&subtasks=${i}`)).json[0].sum as number));
    expect(s0).toBeLessThanOrEqual(20_000);
    expect(s1).toBeLessThanOrEqual(20_000);
    await cluster.waitForState(jobId, 'FINISHED', 60_000);
  }, 240_000);
});
