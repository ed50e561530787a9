// A jobmanager that dies loses no job (issue 18.3): a second jobmanager on the same cluster directory reads
// the job store back (job-store.ts) — definitions, states, checkpoint and savepoint history, exceptions —
// and deploys the jobs that were running from their latest completed checkpoint as taskmanagers register.
// Driven in-process through the calls the REST routes make; the crash is the first jobmanager simply
// stopping (everything it acknowledged is on disk by then, which is what this checks).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../runtime/core/log.js';
import { JobManager } from '../../runtime/cluster/jobmanager.js';
import type { Command, DeployCommand } from '../../runtime/cluster/protocol.js';
import { CheckpointStorage } from '../../runtime/state/checkpoint-storage.js';
import { inProcessJobManager } from './in-process-jobmanager.js';

let first: JobManager;
let jarId: string;
let bundle: Buffer;
const others: JobManager[] = [];

beforeAll(async () => {
  ({ jm: first, jarId } = await inProcessJobManager('jm-store-test'));
  bundle = fs.readFileSync(first.jars.get(jarId).path);
});

afterAll(() => {
  first?.close();
  for (const jm of others) jm.close();
});

const signal = () => new AbortController().signal;
const commands = (jm: JobManager, tm: string): Promise<Command[]> => jm.heartbeat(tm, [], signal());
const register = (jm: JobManager, pid: number) => jm.register({ pid, host: 'elsewhere', slots: 3, index: null, logFile: null }).id;

async function checkpoint(jm: JobManager, jobId: string, attempt: number, tm: string, id: number) {
  const storage = new CheckpointStorage(jm.config['state.checkpoints.dir'], jobId);
  const { path: p, info, sha256 } = await storage.write({ id, jobName: 'Counting', timestamp: Date.now(), durationMs: 1, operatorIds: [] }, { sources: { s: id }, operators: {}, watermarks: {} });
  return { accepted: await jm.event(tm, { type: 'checkpoint', jobId, attempt, info, sha256, endToEndMs: 3 }), path: p };
}

const statusFile = (jm: JobManager, jobId: string) => JSON.parse(fs.readFileSync(path.join(jm.paths.jobsDir, jobId, 'status.json'), 'utf8'));

/** A new jobmanager on the same directory and configuration: what `sluice cluster start` after a kill -9 gives. */
async function restarted(jm: JobManager): Promise<JobManager> {
  jm.close();
  const next = new JobManager(jm.paths, jm.config, createLogger('jm-store-test', 'silent'));
  others.push(next);
  await next.open();
  return next;
}

describe('the job store', () => {
  it('a restarted jobmanager recovers running, finished and cancelling jobs with their history, and resumes from the latest checkpoint', async () => {
    const tm = register(first, 1 << 22);
    const config = { 'execution.checkpointing.interval': '1 s', 'state.checkpoints.num-retained': '2', 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '3' };
    const running = await first.runJar(jarId, { flinkConfiguration: config, parallelism: 2 });
    const finished = await first.runJar(jarId, {});
    const cancelling = await first.runJar(jarId, {});
    const deploys = (await commands(first, tm)) as DeployCommand[];
    expect(deploys.map((d) => d.jobId).sort()).toEqual([running, finished].sort());
    for (const d of deploys) await first.event(tm, { type: 'state', jobId: d.jobId, attempt: d.attempt, state: 'RUNNING' });
    await first.event(tm, { type: 'state', jobId: finished, attempt: 1, state: 'FINISHED' });
    const paths: string[] = [];
    for (let id = 1; id <= 4; id++) {
      const c = await checkpoint(first, running, 1, tm, id);
      expect(c.accepted).toBe(true);
      // Acknowledged only once the status on disk names it as the restore point.
      expect(statusFile(first, running).checkpoints.restorePath).toBe(c.path);
      paths.push(c.path);
      await first.event(tm, { type: 'checkpoint-committed', jobId: running, attempt: 1, id });
    }
    await first.event(tm, { type: 'checkpoint-failed', jobId: running, attempt: 1, id: 5, error: { name: 'IOException', message: 'disk full' } });
    // The third job got the finished one's slot; it is being cancelled when the jobmanager dies.
    expect(first.job(cancelling).taskState).toBe('DEPLOYING');
    first.cancel(cancelling);
    expect(first.job(cancelling).state).toBe('CANCELLING');
    const before = first.job(running);
    // Left behind by the dead jobmanager: a checkpoint below the retained ones (killed before retention),
    // an incomplete one above them, and a submission it never answered (bundle copied, no definition).
    const storage = new CheckpointStorage(first.config['state.checkpoints.dir'], running);
    await storage.write({ id: 1, jobName: 'Counting', timestamp: 0, durationMs: 1, operatorIds: [] }, { sources: {}, operators: {}, watermarks: {} });
    const unanswered = path.join(first.paths.jobsDir, 'a'.repeat(32));
    fs.mkdirSync(unanswered);
    fs.writeFileSync(path.join(unanswered, 'bundle.mjs'), '');
    await new Promise((r) => setTimeout(r, 50));

    const jm = await restarted(first);
    expect(fs.existsSync(unanswered)).toBe(false);
    expect([...jm.jobs.keys()].sort()).toEqual([running, finished, cancelling].sort());
    expect(jm.job(finished).state).toBe('FINISHED');
    expect(jm.job(cancelling).state).toBe('CANCELED');
    const job = jm.job(running);
    expect(job.state).toBe('RESTARTING');
    expect(job.parallelism).toBe(2);
    expect(job.startTime).toBe(before.startTime);
    expect(job.checkpoints.counts).toEqual(before.checkpoints.counts);
    expect(job.checkpoints.history.map((s) => [s.id, s.status, s.discarded])).toEqual(before.checkpoints.history.map((s) => [s.id, s.status, s.discarded]));
    expect(job.checkpoints.latestCompleted?.externalPath).toBe(paths[3]);
    // Only what state.checkpoints.num-retained keeps is left on disk.
    expect((await storage.list()).map((c) => c.id)).toEqual([3, 4]);

    // The taskmanager registers again: the job is deployed from its latest checkpoint, numbering on.
    const tm2 = register(jm, (1 << 22) + 1);
    const [redeploy] = (await commands(jm, tm2)) as DeployCommand[];
    expect(redeploy).toMatchObject({ type: 'deploy', jobId: running, attempt: 2, restore: paths[3], parallelism: 2 });
    expect(redeploy.checkpoints.nextId).toBeGreaterThanOrEqual(6);
    await jm.event(tm2, { type: 'state', jobId: running, attempt: 2, state: 'RUNNING' });
    expect(jm.job(running).state).toBe('RUNNING');
    expect(jm.job(running).checkpoints.restored).toMatchObject({ id: 4, isSavepoint: false, externalPath: paths[3] });

    // Once more: the restart is in the store as well (attempt, restore), and the history goes on.
    const c6 = await checkpoint(jm, running, 2, tm2, 6);
    expect(c6.accepted).toBe(true);
    const again = await restarted(jm);
    expect(again.job(running).checkpoints.latestCompleted?.id).toBe(6);
    expect(again.job(running).checkpoints.counts.restored).toBe(1);
    expect(again.job(running).attempt).toBe(2);
    again.cancel(running);
    expect(again.job(running).state).toBe('CANCELED');
    await expect.poll(() => statusFile(again, running).state, { timeout: 5000 }).toBe('CANCELED');
  });

  it('a submission is stored before it is answered; a job directory that cannot be read is left alone and said so', async () => {
    const jm = await restarted(others[others.length - 1] ?? first);
    // Uploaded bundles last as long as the jobmanager (Flink's web upload directory); jobs keep their own copy.
    const id = await jm.runJar((await jm.jars.upload('counting.mjs', bundle)).id, {});
    const dir = path.join(jm.paths.jobsDir, id);
    expect(fs.readdirSync(dir).sort()).toEqual(['bundle.mjs', 'job.json', 'status.json']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'job.json'), 'utf8'))).toMatchObject({ id, name: 'Counting', bundle: path.join(dir, 'bundle.mjs') });
    fs.writeFileSync(path.join(dir, 'job.json'), '{ not json');
    const next = await restarted(jm);
    expect(next.jobs.has(id)).toBe(false);
    expect(fs.existsSync(dir)).toBe(true);
  });
});
