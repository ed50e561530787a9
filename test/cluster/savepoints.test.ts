// Savepoints through the CLI: stop with a savepoint, then `run -s` continues the job to exactly the result
// of an uninterrupted run (the filesystem sink cuts its part file back to the savepoint, the source resumes
// at its position, window state comes back); a savepoint that lets the job run on; stop --drain; and
// --allow-non-restored-state for a job whose operators do not match the savepoint.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../runtime/state/checkpoint-storage.js';
import { tempDir } from '../helpers/tables.js';
import { expectedSums, readParts } from './expected.js';
import { compileFixture, jobIdOf, TestCluster } from './helpers.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start();
});

afterAll(() => {
  cluster?.stop();
});

/** Waits until the job's source has emitted at least `rows` records. */
async function readAtLeast(jobId: string, rows: number) {
  await cluster.waitForJob(jobId, (j) => j.state === 'RUNNING' && j.vertices[0].metrics['write-records'] >= rows);
}

const savepointPath = (stdout: string) => /^Savepoint completed\. Path: (.+)$/m.exec(stdout)?.[1];

describe('savepoints', () => {
  it('stop with a savepoint, then run -s: the final output equals an uninterrupted run', async () => {
    const out = path.join(tempDir(), 'out');
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '20000', '--output', out]);
    // Slow enough that the stop (a CLI process starting on a busy machine) reaches the job well before its end.
    const jobId = jobIdOf(cluster.sluice(['run', '-d', bundle, '--set', 'numbers.rows-per-second=2000']));
    await readAtLeast(jobId, 3000);

    const target = tempDir();
    const stop = cluster.sluice(['stop', '--savepointPath', target, jobId]);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(new RegExp(`^Suspending job "${jobId}" with a savepoint\\.\\n`));
    const sp = savepointPath(stop.stdout)!;
    expect(sp).toMatch(new RegExp(`^${target}/savepoint-${jobId.slice(0, 6)}-[0-9a-f]{12}$`));
    const stopped = await cluster.waitForJob(jobId, (j) => j.state === 'FINISHED');
    const partial = readParts(out);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(expectedSums(20000).length);
    const emitted = stopped.vertices[0].metrics['write-records'];
    expect(emitted).toBeLessThan(20000);

    // Resumed faster: only the rate changes (--set keeps operator ids).
    const resumed = cluster.sluice(['run', '-d', '-s', sp, bundle, '--set', 'numbers.rows-per-second=100000']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const job2 = jobIdOf(resumed);
    await cluster.waitForState(job2, 'FINISHED');
    expect(readParts(out)).toEqual(expectedSums(20000));
    const cp = (await cluster.rest('GET', `/jobs/${job2}/checkpoints`)).json;
    expect(cp.latest.restored).toMatchObject({ is_savepoint: true, external_path: sp });
    expect(cp.counts.restored).toBe(1);
  });

  it('sluice savepoint: the job keeps running; the savepoint is the user\'s own directory', async () => {
    const out = path.join(tempDir(), 'out');
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '1000000', '--output', out]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', bundle, '--set', 'numbers.rows-per-second=2000']));
    await readAtLeast(jobId, 500);
    const target = tempDir();
    const r = cluster.sluice(['savepoint', jobId, target]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Triggering savepoint for job [0-9a-f]{32}\.\nSavepoint completed\. Path: .+\nYou can resume your program from this savepoint with the run command\.\n$/);
    const sp = savepointPath(r.stdout)!;
    const stored = await readCheckpoint(sp);
    expect(stored.info).toMatchObject({ kind: 'savepoint', jobId, jobName: 'Windowed Sums' });
    expect(Object.keys(stored.snapshot.sources)).toHaveLength(1);
    expect((await cluster.job(jobId)).state).toBe('RUNNING');
    expect(cluster.sluice(['cancel', jobId]).status).toBe(0);
    // Cancelling leaves the user's savepoint alone.
    expect(fs.existsSync(path.join(sp, '_metadata'))).toBe(true);
  });

  it('stop --drain fires every window first: the output covers every row read', async () => {
    const out = path.join(tempDir(), 'out');
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '1000000', '--output', out]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', bundle, '--set', 'numbers.rows-per-second=3000']));
    await readAtLeast(jobId, 1000);
    const r = cluster.sluice(['stop', '--drain', jobId]);
    expect(r.status, r.stderr).toBe(0);
    const sp = savepointPath(r.stdout)!;
    expect(sp.startsWith(path.join(cluster.dir, 'savepoints'))).toBe(true);
    await cluster.waitForState(jobId, 'FINISHED');
    const position = (await readCheckpoint(sp)).snapshot.sources;
    const rows = (Object.values(position)[0] as { rows: number }).rows;
    expect(readParts(out)).toEqual(expectedSums(rows));
  });

  it('a savepoint of another job: rejected, unless --allow-non-restored-state', async () => {
    const out = path.join(tempDir(), 'out');
    const sums = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '1000000', '--output', out]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', sums, '--set', 'numbers.rows-per-second=2000']));
    await readAtLeast(jobId, 200);
    const sp = savepointPath(cluster.sluice(['stop', jobId]).stdout)!;
    await cluster.waitForState(jobId, 'FINISHED');

    const copy = path.join(tempDir(), 'copy');
    const other = compileFixture('test/cluster/fixtures/passthrough.ts', ['--rows', '500', '--output', copy]);
    const refused = cluster.sluice(['run', '-d', '-s', sp, other]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/error: the savepoint has state for operator [0-9a-f]+ .*which is not in this job; allow it to be skipped with --allow-non-restored-state/);
    const allowed = cluster.sluice(['run', '-d', '-s', sp, '--allow-non-restored-state', other]);
    expect(allowed.status, allowed.stderr).toBe(0);
    await cluster.waitForState(jobIdOf(allowed), 'FINISHED');
    expect(readParts(copy)).toEqual(Array.from({ length: 500 }, (_, i) => String(i + 1)).sort());
  });
});
