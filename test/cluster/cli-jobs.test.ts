// The job commands against a real cluster, as a user types them: run -d prints the job id, list shows it
// in `flink list`'s layout, cancel ends it; a bounded job finishes with the right output; a job file is
// compiled on the way; `run` without -d follows the job while a cluster runs; a job that keeps failing
// restarts per its strategy, then FAILED with its exceptions recorded; attached, a poison record is named at
// each restart; a job without a free slot waits for one.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tables.js';
import { expectedSums, readParts } from './expected.js';
import { compileFixture, jobIdOf, sluiceIn, TestCluster } from './helpers.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ slots: 2 });
});

afterAll(() => {
  cluster?.stop();
});

describe('sluice run -d, list, cancel', () => {
  it('submits a bundle, lists it as flink list does, cancels it', async () => {
    const out = path.join(tempDir(), 'out');
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '1000000', '--output', out]);
    const run = cluster.sluice(['run', '-d', bundle, '--set', 'numbers.rows-per-second=1000']);
    expect(run.status, run.stderr).toBe(0);
    const jobId = jobIdOf(run);
    await cluster.waitForState(jobId, 'RUNNING');

    const list = cluster.sluice(['list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp([
      '^------------------ Running/Restarting Jobs -------------------',
      `\\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d:\\d\\d : ${jobId} : Windowed Sums \\(RUNNING\\) \\[parallelism 1\\]`,
      '--------------------------------------------------------------',
      'No scheduled jobs.\n$',
    ].join('\n')));

    const cancel = cluster.sluice(['cancel', jobId]);
    expect(cancel.status, cancel.stderr).toBe(0);
    expect(cancel.stdout).toBe(`Cancelling job ${jobId}.\nCancelled job ${jobId}.\n`);
    expect(cluster.sluice(['list']).stdout).toBe('No running jobs.\nNo scheduled jobs.\n');
    expect(cluster.sluice(['list', '-a']).stdout).toMatch(new RegExp(`---------------------- Terminated Jobs -----------------------\n.* : ${jobId} : Windowed Sums \\(CANCELED\\) \\[parallelism 1\\]\n`));
    const again = cluster.sluice(['cancel', jobId]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/error: Job [0-9a-f]{32} is CANCELED: it has already terminated/);
    // An unknown job is "not found", with nothing announced before it.
    const unknown = '0123456789abcdef0123456789abcdef';
    for (const cmd of [['stop', unknown], ['savepoint', unknown], ['cancel', unknown]]) {
      const r = cluster.sluice(cmd);
      expect([r.status, r.stdout, r.stderr.trim()]).toEqual([1, '', `error: Job ${unknown} not found`]);
    }
  });

  it('a job that finds no free slot waits for one: run -d warns, list shows why, it starts when a slot frees', async () => {
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '1000000', '--output', path.join(tempDir(), 'out')]);
    const slow = ['--set', 'numbers.rows-per-second=100'];
    const [a, b] = [1, 2].map(() => jobIdOf(cluster.sluice(['run', '-d', bundle, ...slow])));
    await cluster.waitForState(b, 'RUNNING');
    const third = cluster.sluice(['run', '-d', bundle, ...slow]);
    expect(third.status, third.stderr).toBe(0);
    const c = jobIdOf(third);
    const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const why = `${esc('waiting for resources: needs 1 slot on one taskmanager; 0 of 2 free (it fails at ')}\\d\\d:\\d\\d:\\d\\d${esc(', slot.request.timeout, unless slots free up)')}`;
    expect(third.stderr).toMatch(new RegExp(`^warning: the job cannot be scheduled now: ${why}\n  hint: add slots with \`sluice taskmanager start\``, 'm'));
    expect(cluster.sluice(['list']).stdout).toMatch(new RegExp(`----------------------- Scheduled Jobs -----------------------\n.* : ${c} : Windowed Sums \\(CREATED, ${why}\\) \\[parallelism \\d+\\]\n`));
    expect(cluster.sluice(['cancel', a]).status).toBe(0);
    await cluster.waitForState(c, 'RUNNING');
    for (const id of [b, c]) expect(cluster.sluice(['cancel', id]).status).toBe(0);
  });

  it('a bounded job (datagen with a sequence) finishes: FINISHED, output as computed independently', async () => {
    const out = path.join(tempDir(), 'out');
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '5000', '--output', out]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', bundle, '--set', 'numbers.rows-per-second=100000']));
    const job = await cluster.waitForJob(jobId, (j) => ['FINISHED', 'FAILED', 'CANCELED'].includes(j.state));
    expect(job.state).toBe('FINISHED');
    expect(job['end-time']).toBeGreaterThanOrEqual(job['start-time']);
    expect(readParts(out)).toEqual(expectedSums(5000));
  });

  it('compiles a job file first, with its job arguments', async () => {
    const out = path.join(tempDir(), 'out');
    const r = cluster.sluice(['run', '-d', 'test/cluster/fixtures/windowed-sums.ts', '--', '--rows', '700', '--rate', '100000', '--output', out]);
    expect(r.status, r.stderr).toBe(0);
    const job = await cluster.waitForJob(jobIdOf(r), (j) => ['FINISHED', 'FAILED'].includes(j.state));
    expect(job.state).toBe('FINISHED');
    expect(readParts(out)).toEqual(expectedSums(700));
  });

  it('without -d, while a cluster runs, submits and follows the job to its end', () => {
    const out = path.join(tempDir(), 'out');
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '900', '--rate', '100000', '--output', out]);
    const r = cluster.sluice(['run', bundle]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Job has been submitted with JobID [0-9a-f]{32}$/m);
    expect(r.stderr).toMatch(/Windowed Sums \([0-9a-f]{32}\) is FINISHED/);
    expect(readParts(out)).toEqual(expectedSums(900));
  });

  it('a job that keeps failing restarts per its strategy, then FAILED, with every failure in /exceptions', async () => {
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '10', '--output', path.join(tempDir(), 'out')]);
    const missing = path.join(tempDir(), 'no-such-input');
    const r = cluster.sluice(['run', '-d', bundle, '--set', 'numbers.connector=filesystem', '--set', `numbers.path=${missing}`, '--set', 'numbers.format=csv',
      '-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=2', '-D', 'restart-strategy.fixed-delay.delay=100 ms']);
    const jobId = jobIdOf(r);
    const job = await cluster.waitForJob(jobId, (j) => j.state === 'FAILED');
    expect(job.timestamps.RESTARTING).toBeGreaterThan(0);
    const ex = (await cluster.rest('GET', `/jobs/${jobId}/exceptions`)).json;
    expect(ex.exceptionHistory.entries).toHaveLength(3);
    expect(ex['root-exception']).toMatch(/no-such-input/);
    expect(ex.exceptionHistory.entries[0]).toMatchObject({ taskName: 'Windowed Sums' });
    expect(ex.exceptionHistory.entries[0].taskManagerId).toMatch(/^taskmanager-1-/);
    const restarts = (await cluster.rest('GET', `/jobs/${jobId}/metrics?get=numRestarts`)).json;
    expect(restarts).toEqual([{ id: 'numRestarts', value: '2' }]);
    expect(cluster.log('jobmanager')).toMatch(new RegExp(`switched from state RESTARTING to FAILING`));
  });

  it('attached, a job failing again and again on one bad record prints the poison-record line at each restart', () => {
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '10', '--output', path.join(tempDir(), 'out')]);
    const input = path.join(tempDir(), 'numbers.csv');
    writeFileSync(input, '1\n2\nthree\n4\n');
    // The delay keeps the job RESTARTING long enough for the CLI's poll (every 500 ms) to see each restart.
    const r = cluster.sluice(['run', bundle, '--set', 'numbers.connector=filesystem', '--set', `numbers.path=${input}`, '--set', 'numbers.format=csv',
      '-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=2', '-D', 'restart-strategy.fixed-delay.delay=1500 ms']);
    expect(r.status, r.stderr).toBe(1);
    const origin = `bad record at file ${input} line 3: column 'id'`;
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  PoisonRecordError'));
    // One line per failure from the second on; the last failure may be seen before the job is FAILED, or not.
    expect(lines.map((l) => /failed (\d) times/.exec(l)?.[1])).toEqual(['2', '3'].slice(0, Math.max(1, lines.length)));
    for (const l of lines) {
      expect(l).toContain(`PoisonRecordError: poison record: the job failed`);
      expect(l).toContain(origin);
      expect(l).toContain(`'scan.dead-letter-queue.topic'`);
    }
    expect(r.stderr).toMatch(new RegExp(`error: job [0-9a-f]{32} failed: PoisonRecordError: poison record: the job failed 3 times in a row on the same record: ${origin}`));
  });

  it('names a missing cluster, and a foreground run still works without one', () => {
    const r = sluiceIn(['list', '--dir', tempDir(), '-m', '127.0.0.1:9']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: no jobmanager reachable at http:\/\/127\.0\.0\.1:9/);
    expect(r.stderr).toMatch(/hint: start a cluster with `sluice cluster start`/);
    const out = path.join(tempDir(), 'out');
    const local = sluiceIn(['run', '--dir', tempDir(), 'test/cluster/fixtures/windowed-sums.ts', '--', '--rows', '300', '--rate', '100000', '--output', out]);
    expect(local.status, local.stderr).toBe(0);
    expect(local.stdout).not.toMatch(/JobID/);
    expect(readParts(out)).toEqual(expectedSums(300));
  });
});
