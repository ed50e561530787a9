// A job submitted to the session cluster with -p 2 runs its 2 subtasks in one taskmanager (2 slots, slot
// sharing) and its windows equal an independent count over the file splits.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
