// Slots as Flink's, driven in-process through the jobmanager's calls (no HTTP, no taskmanager process): a job
// holds as many slots as its parallelism on one taskmanager; a job that finds none waits for them (CREATED,
// subtasks SCHEDULED, the reason in REST), is deployed as soon as a slot frees, and after
// slot.request.timeout fails with Flink's NoResourceAvailableException, handed to its restart strategy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobManager } from '../../runtime/cluster/jobmanager.js';
import { inProcessJobManager } from './in-process-jobmanager.js';
import type { Command } from '../../runtime/cluster/protocol.js';
import { jobDetails, jobOverview } from '../../runtime/rest/shapes.js';

let jm: JobManager;
let jarId: string;

beforeAll(async () => {
  ({ jm, jarId } = await inProcessJobManager('jm-slots'));
});

afterAll(() => jm?.close());

/** A heartbeat of a taskmanager that runs what was placed on it: the jobs of the deployments it receives. */
async function deployed(tm: string): Promise<string[]> {
  const running = [...jm.taskManager(tm).tasks].map(([jobId, t]) => ({ jobId, attempt: t.attempt, state: 'RUNNING' as const, operators: [] }));
  const commands = await jm.heartbeat(tm, running, new AbortController().signal);
  return commands.flatMap((c: Command) => (c.type === 'deploy' ? [c.jobId] : []));
}

describe('slots', () => {
  it('the default taskmanager slots are the playground\'s 2; a job waits for a slot, starts when one frees, and fails after slot.request.timeout', async () => {
    expect(jm.config['taskmanager.numberOfTaskSlots']).toBe('2');
    const tm = jm.register({ pid: (1 << 22) + 11, host: 'elsewhere', slots: 2, index: null, logFile: null }).id;
    const a = await jm.runJar(jarId, {});
    const b = await jm.runJar(jarId, {});
    expect(await deployed(tm)).toEqual([a, b]);
    expect(jm.taskManager(tm).freeSlots).toBe(0);

    // A third job finds no slot: it waits, as Flink's (CREATED, subtasks SCHEDULED), and says why.
    const c = await jm.runJar(jarId, {});
    const waiting = jm.job(c);
    expect(waiting.state).toBe('CREATED');
    expect(waiting.exceptions).toEqual([]);
    const details = jobDetails(waiting);
    expect(details.vertices.map((v) => v.status)).toEqual(details.vertices.map(() => 'SCHEDULED'));
    expect(jobOverview(waiting)['waiting-for-resources']).toMatchObject({
      reason: 'waiting for resources: needs 1 slot on one taskmanager; 0 of 2 free', 'slots-needed': 1,
    });
    expect(waiting.waitingForResources!.deadline - waiting.waitingForResources!.since).toBe(300_000);
    expect(await deployed(tm)).toEqual([]);

    // A job that ends frees its slot, and the waiting job takes it at once.
    jm.cancel(a);
    await jm.event(tm, { type: 'state', jobId: a, attempt: 1, state: 'CANCELED' });
    expect(jm.job(a).state).toBe('CANCELED');
    expect(await deployed(tm)).toEqual([c]);
    expect(waiting.waitingForResources).toBeNull();
    expect(jobOverview(waiting)).not.toHaveProperty('waiting-for-resources');

    // Without a slot within slot.request.timeout: Flink's NoResourceAvailableException, then the restart
    // strategy (none without checkpointing): FAILED.
    const d = await jm.runJar(jarId, { flinkConfiguration: { 'slot.request.timeout': '100 ms' } });
    expect(jm.job(d).state).toBe('CREATED');
    await new Promise((r) => setTimeout(r, 300));
    expect(jm.job(d).state).toBe('FAILED');
    expect(jm.job(d).exceptions.map((e) => [e.exceptionName, e.message])).toEqual([['NoResourceAvailableException', 'Could not acquire the minimum required resources.']]);

    // With a restart strategy, the failed slot request is one failure: the job restarts and waits again.
    const e = await jm.runJar(jarId, { flinkConfiguration: {
      'slot.request.timeout': '60 ms', 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '5', 'restart-strategy.fixed-delay.delay': '10 ms',
    } });
    await new Promise((r) => setTimeout(r, 100));
    expect(jm.job(e).state).toBe('RESTARTING');
    expect(jm.job(e).exceptions[0].exceptionName).toBe('NoResourceAvailableException');
    jm.cancel(e);
    expect(jm.job(e).state).toBe('CANCELED');
    expect(jm.job(e).waitingForResources).toBeNull();
    for (const id of [b, c]) jm.cancel(id);
    jm.deregister(tm);
  });

  it('a job holds as many slots as its parallelism, all on one taskmanager', async () => {
    const three = await jm.runJar(jarId, {});
    const rec = jm.job(three);
    expect(rec.waitingForResources?.reason).toBe('waiting for resources: needs 1 slot on one taskmanager; no taskmanager is registered');
    // What the submission sets from -p (the runtime's parallel subtasks are not needed to place the job).
    rec.parallelism = 3;
    const small = jm.register({ pid: (1 << 22) + 12, host: 'elsewhere', slots: 1, index: null, logFile: null }).id;
    expect(rec.waitingForResources?.reason).toBe('waiting for resources: needs 3 slots on one taskmanager; 1 of 1 free');
    const other = jm.register({ pid: (1 << 22) + 13, host: 'elsewhere', slots: 2, index: null, logFile: null }).id;
    // 3 free slots in all, but not 3 on one taskmanager.
    expect(rec.waitingForResources?.reason).toBe('waiting for resources: needs 3 slots on one taskmanager; 3 of 3 free (at most 2 on one)');
    const wide = jm.register({ pid: (1 << 22) + 14, host: 'elsewhere', slots: 4, index: null, logFile: null }).id;
    expect(rec.waitingForResources).toBeNull();
    expect(rec.taskManager).toBe(wide);
    expect(jm.taskManager(wide).freeSlots).toBe(1);
    jm.cancel(three);
    await jm.event(wide, { type: 'state', jobId: three, attempt: rec.attempt, state: 'CANCELED' });
    expect(jm.taskManager(wide).freeSlots).toBe(4);
    for (const t of [small, other, wide]) jm.deregister(t);
  });
});
