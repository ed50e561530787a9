// Flink's own CLI (the real one, from the apache-flink package) operates a sluice cluster: it speaks Flink's
// REST API under the /v1 prefix and parses the answers with Flink's own classes, so a missing field or a
// wrong type fails here as it would for a Flink user. list, savepoint, stop -p and cancel, each checked
// against what the cluster then reports.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flink } from '../helpers/flink-cli.js';
import { tempDir } from '../helpers/tables.js';
import { compileFixture, jobIdOf, TestCluster } from '../cluster/helpers.js';

let cluster: TestCluster;
let bundle: string;
let m: string;

beforeAll(async () => {
  bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '1000000', '--output', path.join(tempDir(), 'out')]);
  cluster = await TestCluster.start();
  m = cluster.url.replace(/^http:\/\//, '');
});

afterAll(() => {
  cluster?.stop();
});

async function submit(): Promise<string> {
  const jobId = jobIdOf(cluster.sluice(['run', '-d', bundle, '--set', 'numbers.rows-per-second=2000']));
  await cluster.waitForJob(jobId, (j) => j.state === 'RUNNING' && j.vertices[0].metrics['write-records'] > 0);
  return jobId;
}

const out = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

describe('the Flink CLI against a sluice cluster', () => {
  it('list, savepoint (the job keeps running), stop with a savepoint directory', { timeout: 240_000 }, async () => {
    const jobId = await submit();
    const list = flink(['list', '-m', m]);
    expect(list.status, out(list)).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`: ${jobId} : Windowed Sums \\(RUNNING\\)`));

    const target = tempDir('flink-savepoints-');
    const sp = flink(['savepoint', '-m', m, jobId, target]);
    expect(sp.status, out(sp)).toBe(0);
    const savepoint = /Savepoint completed\. Path: (\S+)/.exec(sp.stdout)?.[1];
    expect(savepoint).toMatch(new RegExp(`^${target}/savepoint-${jobId.slice(0, 6)}-[0-9a-f]{12}$`));
    expect(fs.existsSync(path.join(savepoint!, '_metadata'))).toBe(true);
    expect((await cluster.job(jobId)).state).toBe('RUNNING');

    const stopDir = tempDir('flink-stop-');
    const stop = flink(['stop', '-m', m, '-p', stopDir, jobId]);
    expect(stop.status, out(stop)).toBe(0);
    const stopped = /Savepoint completed\. Path: (\S+)/.exec(stop.stdout)?.[1];
    expect(stopped?.startsWith(`${stopDir}/savepoint-`)).toBe(true);
    expect(fs.existsSync(path.join(stopped!, '_metadata'))).toBe(true);
    await cluster.waitForState(jobId, 'FINISHED');
    const cp = (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json;
    expect(cp.latest.savepoint.external_path).toBe(stopped);
  });

  it('cancel; list -a shows the terminated jobs; an unknown job is an error', { timeout: 240_000 }, async () => {
    const jobId = await submit();
    const cancel = flink(['cancel', '-m', m, jobId]);
    expect(cancel.status, out(cancel)).toBe(0);
    expect(cancel.stdout).toMatch(`Cancelled job ${jobId}.`);
    await cluster.waitForState(jobId, 'CANCELED');

    const all = flink(['list', '-a', '-m', m]);
    expect(all.status, out(all)).toBe(0);
    expect(all.stdout).toMatch('No running jobs.');
    expect(all.stdout).toMatch(new RegExp(`: ${jobId} : Windowed Sums \\(CANCELED\\)`));
    expect(all.stdout).toMatch(/: [0-9a-f]{32} : Windowed Sums \(FINISHED\)/);

    const unknown = flink(['cancel', '-m', m, '0123456789abcdef0123456789abcdef']);
    expect(unknown.status).not.toBe(0);
    expect(out(unknown)).toMatch('Job 0123456789abcdef0123456789abcdef not found');
  });
});
