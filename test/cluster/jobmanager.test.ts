// The jobmanager's state machine, driven in-process through the calls the REST routes make (no HTTP, no
// taskmanager process): deployment, checkpoint acceptance and retention, fencing of stale attempts, a lost
// taskmanager, waiting for a slot after it, and a checkpoint whose output a sink never committed
// (slots-and-waiting.test.ts covers slot allocation and slot.request.timeout).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobManager } from '../../runtime/cluster/jobmanager.js';
import { inProcessJobManager } from './in-process-jobmanager.js';
import { errorInfo, type Command, type DeployCommand } from '../../runtime/cluster/protocol.js';
import { CheckpointStorage, readCheckpoint } from '../../runtime/state/checkpoint-storage.js';
import { TaskMetrics } from '../../runtime/cluster/task-metrics.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { JobRunner } from '../../runtime/exec/job-runner.js';
import { jobMetricValues } from '../../runtime/rest/shapes.js';

let jm: JobManager;
let jarId: string;

beforeAll(async () => {
  ({ jm, jarId } = await inProcessJobManager('jm-test'));
});

afterAll(() => jm?.close());

const signal = () => new AbortController().signal;

async function commands(tm: string): Promise<Command[]> {
  return jm.heartbeat(tm, [], signal());
}

function register(pid = 1 << 22): string {
  // A pid that does not exist on another "host": only heartbeats decide whether it lives.
  return jm.register({ pid, host: 'elsewhere', slots: 1, index: null, logFile: null }).id;
}

/** What a task does for a checkpoint: writes its state, reports it; returns whether the jobmanager completed it. */
async function checkpoint(jobId: string, attempt: number, tm: string, id: number) {
  const storage = new CheckpointStorage(jm.config['state.checkpoints.dir'], jobId);
  const { path: p, info, sha256 } = await storage.write({ id, jobName: 'Counting', timestamp: Date.now(), durationMs: 1, operatorIds: [] }, { sources: { s: id }, operators: {}, watermarks: {} });
  return { accepted: await jm.event(tm, { type: 'checkpoint', jobId, attempt, info, sha256, endToEndMs: 3 }), path: p };
}

const committed = (jobId: string, attempt: number, tm: string, id: number) => jm.event(tm, { type: 'checkpoint-committed', jobId, attempt, id });
const listed = async (jobId: string) => (await new CheckpointStorage(jm.config['state.checkpoints.dir'], jobId).list()).map((c) => c.id);

describe('the jobmanager', () => {
  it('deploys, accepts checkpoints, restarts after a lost taskmanager from the latest one, and waits for a slot', async () => {
    const tm1 = register();
    const jobId = await jm.runJar(jarId, {
      flinkConfiguration: {
        'execution.checkpointing.interval': '1 s', 'state.checkpoints.num-retained': '1',
        'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '10', 'restart-strategy.fixed-delay.delay': '10 ms',
      },
    });
    const [deploy] = (await commands(tm1)) as DeployCommand[];
    expect(deploy).toMatchObject({ type: 'deploy', jobId, attempt: 1, restore: null, checkpoints: { intervalMs: 1000, nextId: 1 } });
    expect(jm.job(jobId).state).toBe('CREATED');
    await jm.event(tm1, { type: 'state', jobId, attempt: 1, state: 'RUNNING' });
    expect(jm.job(jobId).state).toBe('RUNNING');

    const c1 = await checkpoint(jobId, 1, tm1, 1);
    await committed(jobId, 1, tm1, 1);
    // The jobmanager completes a checkpoint by writing its _metadata, last.
    expect(fs.readdirSync(c1.path).sort()).toEqual(['_metadata', '_state']);
    const c2 = await checkpoint(jobId, 1, tm1, 2);
    // num-retained 1: the previous one stays until the newest one's output is committed, then exactly one.
    expect(await listed(jobId)).toEqual([1, 2]);
    await committed(jobId, 1, tm1, 2);
    expect(await listed(jobId)).toEqual([2]);
    expect(fs.existsSync(c1.path)).toBe(false);
    const c3 = await checkpoint(jobId, 1, tm1, 3);
    expect([c1.accepted, c2.accepted, c3.accepted]).toEqual([true, true, true]);
    // (3's output is never committed: the crash below comes first.)
    expect(await listed(jobId)).toEqual([2, 3]);
    // An attempt that is not the current one is not accepted (and its checkpoint is removed).
    const stale = await checkpoint(jobId, 7, tm1, 4);
    expect(stale.accepted).toBe(false);
    expect(fs.existsSync(stale.path)).toBe(false);

    jm.deregister(tm1);
    expect(jm.job(jobId).state).toBe('RESTARTING');
    await new Promise((r) => setTimeout(r, 50));
    // The restart finds no slot: it waits for one (slot.request.timeout, 5 min), without failing again.
    expect(jm.job(jobId).exceptions.map((e) => e.exceptionName)).toEqual(['TaskManagerLostException']);
    expect(jm.job(jobId).state).toBe('RESTARTING');
    expect(jm.job(jobId).waitingForResources?.reason).toBe('waiting for resources: needs 1 slot on one taskmanager; no taskmanager is registered');

    const tm2 = register((1 << 22) + 1);
    const [redeploy] = (await commands(tm2)) as DeployCommand[];
    expect(redeploy).toMatchObject({ type: 'deploy', jobId, restore: c3.path, checkpoints: { nextId: 4 } });
    expect(redeploy.attempt).toBeGreaterThan(1);
    await jm.event(tm2, { type: 'state', jobId, attempt: redeploy.attempt, state: 'RUNNING' });
    expect(jm.job(jobId).state).toBe('RUNNING');
    // Events of the earlier attempt change nothing now.
    expect(await jm.event(tm2, { type: 'state', jobId, attempt: 1, state: 'FAILED' })).toBe(false);

    // The restored checkpoint's output was never committed by a sink: restore the one before it.
    await jm.event(tm2, { type: 'state', jobId, attempt: redeploy.attempt, state: 'FAILED', error: { name: 'UncommittedCheckpointError', message: 'aborted' } });
    expect(jm.job(jobId).state).toBe('RESTARTING');
    await new Promise((r) => setTimeout(r, 50));
    const [third] = (await commands(tm2)) as DeployCommand[];
    expect(third).toMatchObject({ type: 'deploy', jobId, restore: c2.path });
    expect(fs.existsSync(c3.path)).toBe(false);
    expect(jm.job(jobId).exceptions[0].message).toBe('aborted (checkpoint 3 skipped; the job restores checkpoint 2)');

    // A deployment the taskmanager does not report back was lost on the way: a failure like any other.
    await commands(tm2);
    expect(jm.job(jobId).exceptions[0].exceptionName).toBe('TaskDeploymentException');
    // Cancelled while restarting or redeployed: CANCELED at once, or once the task reports it.
    jm.cancel(jobId);
    const job = jm.job(jobId);
    if (job.state === 'CANCELLING') await jm.event(tm2, { type: 'state', jobId, attempt: job.attempt, state: 'CANCELED' });
    expect(job.state).toBe('CANCELED');
    jm.deregister(tm2);
  });

  it('deploys the next attempt only once the failed one is cancelled on every surviving taskmanager (or it is lost)', async () => {
    const a = register((1 << 22) + 20);
    const b = register((1 << 22) + 21);
    const jobId = await jm.runJar(jarId, {
      parallelism: 2,
      flinkConfiguration: {
        'exchange.kafka.bootstrap-servers': '127.0.0.1:9092', 'execution.checkpointing.interval': '1 s',
        'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '10', 'restart-strategy.fixed-delay.delay': '10 ms',
      },
    });
    const job = jm.job(jobId);
    const first = [...(await commands(a)), ...(await commands(b))];
    expect(first.map((c) => [c.type, c.attempt])).toEqual([['deploy', 1], ['deploy', 1]]);
    const survivor = job.taskManager!;
    const dead = survivor === a ? b : a;
    await jm.event(survivor, { type: 'state', jobId, attempt: 1, state: 'RUNNING' });
    const running = [{ jobId, attempt: 1, state: 'RUNNING' as const, operators: [] }];

    // The taskmanager with subtask 1 dies; the survivor's subtask 0 is told to cancel and keeps running a while.
    jm.deregister(dead);
    expect(job.state).toBe('RESTARTING');
    expect(await jm.heartbeat(survivor, running, signal())).toContainEqual({ type: 'cancel', jobId, attempt: 1 });
    const c = register((1 << 22) + 22);
    // Slots for the next attempt, the restart delay long over: nothing is deployed while attempt 1 still runs.
    await new Promise((r) => setTimeout(r, 60));
    expect(await jm.heartbeat(survivor, running, signal())).toEqual([]);
    expect(await commands(c)).toEqual([]);
    expect(job.attempt).toBe(1);
    // What the old task still sends is fenced: its checkpoint does not count.
    expect((await checkpoint(jobId, 1, survivor, 1)).accepted).toBe(false);

    // Its sinks closed, it reports CANCELED: now attempt 2 deploys, on the survivor and the new taskmanager.
    expect(await jm.event(survivor, { type: 'state', jobId, attempt: 1, state: 'CANCELED' })).toBe(false);
    const second = [...(await commands(survivor)), ...(await commands(c))];
    expect(second.map((x) => [x.type, x.attempt])).toEqual([['deploy', 2], ['deploy', 2]]);
    expect(job.attempt).toBe(2);

    // The coordinator's task fails: c's subtask is cancelled; c stops answering, and its loss (heartbeat
    // timeout) releases the wait, as a heartbeat without the task would.
    const coordinator = job.taskManager!;
    const other = coordinator === survivor ? c : survivor;
    await jm.event(coordinator, { type: 'state', jobId, attempt: 2, state: 'FAILED', error: { name: 'Error', message: 'boom' } });
    expect(await jm.heartbeat(other, [{ ...running[0], attempt: 2 }], signal())).toContainEqual({ type: 'cancel', jobId, attempt: 2 });
    expect(await commands(coordinator)).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(job.attempt).toBe(2);
    jm.deregister(other);
    const d = register((1 << 22) + 23);
    const third = [...(await commands(coordinator)), ...(await commands(d))];
    expect(third.map((x) => [x.type, x.attempt])).toEqual([['deploy', 3], ['deploy', 3]]);

    jm.cancel(jobId);
    for (const t of [coordinator, d]) await jm.event(t, { type: 'state', jobId, attempt: 3, state: 'CANCELED' });
    expect(job.state).toBe('CANCELED');
    for (const t of [coordinator, d]) jm.deregister(t);
  });

  it('only completed checkpoints count: -s on one the jobmanager never completed, or on a corrupt one, fails at once naming the newest good one', async () => {
    const tm = register((1 << 22) + 3);
    const jobId = await jm.runJar(jarId, { flinkConfiguration: { 'execution.checkpointing.interval': '1 s', 'state.checkpoints.num-retained': '3' } });
    const [deploy] = (await commands(tm)) as DeployCommand[];
    await jm.event(tm, { type: 'state', jobId, attempt: deploy.attempt, state: 'RUNNING' });
    const done: string[] = [];
    for (let id = 1; id <= 5; id++) {
      done.push((await checkpoint(jobId, deploy.attempt, tm, id)).path);
      await committed(jobId, deploy.attempt, tm, id);
    }
    // Retention keeps exactly state.checkpoints.num-retained.
    expect(await listed(jobId)).toEqual([3, 4, 5]);
    // The jobmanager dies while checkpoint 6 is in flight: its state is on disk, it was never completed.
    const storage = new CheckpointStorage(jm.config['state.checkpoints.dir'], jobId);
    const inFlight = await storage.write({ id: 6, jobName: 'Counting', timestamp: Date.now(), durationMs: 1, operatorIds: [] }, { sources: {}, operators: {}, watermarks: {} });
    expect(await listed(jobId)).toEqual([3, 4, 5]);
    await expect(jm.runJar(jarId, { savepointPath: inFlight.path })).rejects.toMatchObject({
      status: 400, message: `'${inFlight.path}' is an incomplete checkpoint: it was never completed (no _metadata); the newest completed checkpoint there is ${done[4]}`,
    });
    fs.writeFileSync(path.join(done[4], '_state'), crypto.randomBytes(64));
    await expect(jm.runJar(jarId, { savepointPath: done[4] })).rejects.toMatchObject({
      status: 400, message: `'${done[4]}' is a corrupt checkpoint: its _state does not match the checksum in its _metadata; the newest completed checkpoint there is ${done[3]}`,
    });
    fs.writeFileSync(path.join(done[3], '_metadata'), crypto.randomBytes(64));
    await expect(jm.runJar(jarId, { savepointPath: done[3] })).rejects.toThrow(`'${done[3]}' is not a readable checkpoint; the newest completed checkpoint there is ${done[2]}`);
    jm.cancel(jobId);
    jm.deregister(tm);
  });

  it('a corrupt latest checkpoint does not wedge the job: the next attempt restores the one before it, and the skip is recorded', async () => {
    const tm = register((1 << 22) + 4);
    const jobId = await jm.runJar(jarId, {
      flinkConfiguration: { 'execution.checkpointing.interval': '1 s', 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '10', 'restart-strategy.fixed-delay.delay': '10 ms' },
    });
    const [deploy] = (await commands(tm)) as DeployCommand[];
    await jm.event(tm, { type: 'state', jobId, attempt: deploy.attempt, state: 'RUNNING' });
    const c1 = await checkpoint(jobId, deploy.attempt, tm, 1);
    await committed(jobId, deploy.attempt, tm, 1);
    const c2 = await checkpoint(jobId, deploy.attempt, tm, 2);
    await committed(jobId, deploy.attempt, tm, 2);
    await jm.event(tm, { type: 'state', jobId, attempt: deploy.attempt, state: 'FAILED', error: { name: 'ExternalError', message: 'boom' } });
    await new Promise((r) => setTimeout(r, 50));
    const [second] = (await commands(tm)) as DeployCommand[];
    expect(second.restore).toBe(c2.path);
    // Checkpoint 2 rots on disk; the task fails reading it, with the error readCheckpoint gives.
    fs.writeFileSync(path.join(c2.path, '_state'), crypto.randomBytes(64));
    const error = errorInfo(await readCheckpoint(c2.path).catch((e) => e));
    expect(error.name).toBe('UnreadableCheckpointError');
    await jm.event(tm, { type: 'state', jobId, attempt: second.attempt, state: 'FAILED', error });
    await new Promise((r) => setTimeout(r, 50));
    const [third] = (await commands(tm)) as DeployCommand[];
    expect(third.restore).toBe(c1.path);
    expect(jm.job(jobId).exceptions[0]).toMatchObject({
      exceptionName: 'UnreadableCheckpointError',
      message: `'${c2.path}' is a corrupt checkpoint: its _state does not match the checksum in its _metadata (checkpoint 2 skipped; the job restores checkpoint 1)`,
    });

    // A job started from a checkpoint that turns out unreadable has nothing to fall back to: FAILED, not a restart loop.
    const other = register((1 << 22) + 5);
    const fromIt = await jm.runJar(jarId, { savepointPath: c1.path, allowNonRestoredState: true, flinkConfiguration: { 'execution.checkpointing.interval': '1 s' } });
    const [started] = (await commands(other)) as DeployCommand[];
    expect(started.restore).toBe(c1.path);
    await jm.event(other, { type: 'state', jobId: fromIt, attempt: started.attempt, state: 'FAILED', error: { name: 'UnreadableCheckpointError', message: `'${c1.path}' is a corrupt checkpoint` } });
    expect(jm.job(fromIt).state).toBe('FAILED');
    expect(jm.job(fromIt).exceptions[0].message).toMatch(/the job was started from it and has no other restore point/);
    jm.cancel(jobId);
    jm.deregister(tm);
    jm.deregister(other);
  });

  it('a job without checkpointing does not restart (Flink\'s default), and its exception is kept', async () => {
    const tm = register((1 << 22) + 2);
    const jobId = await jm.runJar(jarId, {});
    const [deploy] = (await commands(tm)) as DeployCommand[];
    await jm.event(tm, { type: 'state', jobId, attempt: deploy.attempt, state: 'RUNNING' });
    await jm.event(tm, { type: 'state', jobId, attempt: deploy.attempt, state: 'FAILED', error: { name: 'ExternalError', message: 'mysql: connection refused' } });
    expect(jm.job(jobId).state).toBe('FAILED');
    expect(jm.job(jobId).timestamps.FAILING).toBeGreaterThan(0);
    expect(jm.job(jobId).exceptions[0]).toMatchObject({ exceptionName: 'ExternalError', message: 'mysql: connection refused' });
    expect(jm.taskManager(tm).freeSlots).toBe(1);
  });
});

describe('incidents of a running job (a loss a source accepted, scan.offset-out-of-range)', () => {
  it('go into the exceptions history once, and lost records into numRecordsLost', async () => {
    register((1 << 22) + 7);
    const jobId = await jm.runJar(jarId, {});
    // Placed on whichever taskmanager has a free slot (one of the earlier tests' may).
    const tm = jm.job(jobId).taskManager!;
    const [deploy] = (await commands(tm)) as DeployCommand[];
    await jm.event(tm, { type: 'state', jobId, attempt: deploy.attempt, state: 'RUNNING' });
    const plan = jm.job(jobId).plan;
    const metrics = new JobMetrics();
    const m = metrics.operator(plan.nodes.find((n) => n.kind === 'source')!.id, 'source');
    m.recordsLost = 50;
    m.incidents.push({ name: 'OffsetOutOfRange', message: "table 't': topic x partition 0: offsets 10..59 (50 records) were deleted" });
    const sampler = new TaskMetrics(plan);
    const runner = { metrics, times: new Map(), watermarks: new Map() } as unknown as JobRunner;
    for (let i = 0; i < 2; i++) await jm.heartbeat(tm, [{ jobId, attempt: deploy.attempt, state: 'RUNNING', operators: sampler.sample(runner) }], signal());
    const history = jm.job(jobId).exceptions.filter((e) => e.exceptionName === 'OffsetOutOfRange');
    expect(history.map((e) => e.message)).toEqual(["table 't': topic x partition 0: offsets 10..59 (50 records) were deleted"]);
    expect(jm.job(jobId).state).toBe('RUNNING');
    expect(jobMetricValues(jm.job(jobId)).numRecordsLost).toBe(50);
  });
});

describe('a poison record', () => {
  it('failing the job again at the same offset is named as such in the exceptions history', async () => {
    register((1 << 22) + 9);
    const jobId = await jm.runJar(jarId, { flinkConfiguration: { 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '5', 'restart-strategy.fixed-delay.delay': '1 ms' } });
    const bad = { name: 'BadRecordError', message: "bad record at topic t partition 0 offset 42: 'x' is not a BIGINT" };
    for (let i = 0; i < 3; i++) {
      const tm = jm.job(jobId).taskManager!;
      const [deploy] = (await commands(tm)).filter((c) => c.type === 'deploy') as DeployCommand[];
      await jm.event(tm, { type: 'state', jobId, attempt: deploy.attempt, state: 'RUNNING' });
      await jm.event(tm, { type: 'state', jobId, attempt: deploy.attempt, state: 'FAILED', error: bad });
      await new Promise((r) => setTimeout(r, 20));
    }
    const history = jm.job(jobId).exceptions.map((e) => [e.exceptionName, e.message]);
    expect(history.map(([name]) => name)).toEqual(['PoisonRecordError', 'PoisonRecordError', 'BadRecordError']);
    expect(history[0][1]).toMatch(/^poison record: the job failed 3 times in a row on the same record: bad record at topic t partition 0 offset 42: .*'scan\.dead-letter-queue\.topic'/);
    expect(history[1][1]).toMatch(/failed 2 times/);
  });
});
