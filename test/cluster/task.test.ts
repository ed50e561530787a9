// A task inside a taskmanager, driven directly: it imports the bundle, runs the job, checkpoints on the
// interval into checkpoint storage, and lets sources commit a checkpoint's position (as Kafka commits
// offsets) only after the jobmanager has accepted that checkpoint; a savepoint that stops the job reports
// before the job's end does.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import type { SourceReader } from '../../runtime/core/connector.js';
import { createLogger } from '../../runtime/core/log.js';
import { registerConnector } from '../../runtime/connectors/registry.js';
import type { DeployCommand, TaskEvent } from '../../runtime/cluster/protocol.js';
import { Task } from '../../runtime/cluster/task.js';
import { completeSnapshot, readCheckpoint } from '../../runtime/state/checkpoint-storage.js';
import { tempDir } from '../helpers/tables.js';

const commits: { n: number }[] = [];

class CountingReader implements SourceReader {
  readonly bounded = false;
  private n = 0;
  async open(restored: unknown): Promise<void> { this.n = (restored as { n: number } | null)?.n ?? 0; }
  async poll() {
    await new Promise((r) => setTimeout(r, 2));
    return { split: 'only', rows: [{ id: ++this.n }] };
  }
  splits(): string[] { return ['only']; }
  snapshot(): unknown { return { n: this.n }; }
  async checkpointComplete(position: unknown): Promise<void> { commits.push(position as { n: number }); }
  async close(): Promise<void> {}
}

let deploy: DeployCommand;

beforeAll(async () => {
  registerConnector({
    name: 'counting', options: { keys: {} }, roles: ['source'], sinkAccepts: 'insert-only',
    load: async () => ({ createSource: () => new CountingReader() }),
  });
  const out = path.join(tempDir(), 'counting.mjs');
  const compiled = await compileJob('test/cluster/fixtures/counting-job.ts', { out });
  deploy = {
    type: 'deploy', jobId: 'c0ffee00'.repeat(4), attempt: 1, bundle: out, plan: compiled.plan, config: {}, restore: null,
    allowNonRestoredState: false, checkpoints: { dir: tempDir(), intervalMs: 50, nextId: 1 },
  };
});

/** Where a checkpoint event's state lies: chk-<id> of the deployment's checkpoint directory. */
const chkPath = (dir: string, ev: Extract<TaskEvent, { type: 'checkpoint' }>) => path.join(dir, ev.jobId, `chk-${ev.info.id}`);

/** A jobmanager stand-in: records events; an accepted checkpoint is completed as the jobmanager does it. */
function host(accept: (ev: TaskEvent) => boolean, checkpointDir = deploy.checkpoints.dir) {
  const events: TaskEvent[] = [];
  const send = async (ev: TaskEvent) => {
    events.push(ev);
    const ok = accept(ev);
    if (ok && ev.type === 'checkpoint') await completeSnapshot({ path: chkPath(checkpointDir, ev), info: ev.info, sha256: ev.sha256 });
    return ok;
  };
  return { events, host: { log: createLogger('task-test', 'warn'), send } };
}

const until = async (f: () => boolean) => { while (!f()) await new Promise((r) => setTimeout(r, 10)); };

describe('a task', () => {
  it('checkpoints on the interval; sources commit only checkpoints the jobmanager accepted', async () => {
    commits.length = 0;
    // The jobmanager accepts even checkpoint ids only.
    const { events, host: h } = host((ev) => ev.type !== 'checkpoint' || ev.info.id % 2 === 0);
    const task = new Task(deploy, h);
    const run = task.run();
    await until(() => events.filter((e) => e.type === 'checkpoint').length >= 4);
    task.cancel();
    await run;
    const states = events.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state);
    expect(states).toEqual(['RUNNING', 'CANCELED']);
    const checkpoints = events.filter((e): e is Extract<TaskEvent, { type: 'checkpoint' }> => e.type === 'checkpoint');
    expect(checkpoints.slice(0, 4).map((c) => c.info.id)).toEqual([1, 2, 3, 4]);
    const accepted = checkpoints.filter((c) => c.info.id % 2 === 0);
    const positions = await Promise.all(accepted.map(async (c) => Object.values((await readCheckpoint(chkPath(deploy.checkpoints.dir, c))).snapshot.sources)[0]));
    expect(commits.slice(0, positions.length)).toEqual(positions);
    expect(commits.length).toBe(positions.length);
    // Each commit is reported, so that the jobmanager can let go of the checkpoint before it.
    const reported = events.filter((e): e is Extract<TaskEvent, { type: 'checkpoint-committed' }> => e.type === 'checkpoint-committed').map((e) => e.id);
    expect(reported).toEqual(accepted.map((c) => c.info.id));
    // A checkpoint not accepted is never complete: its state is there, its _metadata is not.
    await expect(readCheckpoint(chkPath(deploy.checkpoints.dir, checkpoints[0]))).rejects.toThrow(/is an incomplete checkpoint/);
    expect(checkpoints[0].info).toMatchObject({ kind: 'checkpoint', jobId: deploy.jobId, jobName: 'Counting', operatorIds: deploy.plan.nodes.map((n) => n.id) });
  });

  it('stop with a savepoint: the savepoint event comes before FINISHED, and the job resumes from it', async () => {
    const { events, host: h } = host(() => true);
    const task = new Task({ ...deploy, checkpoints: { ...deploy.checkpoints, intervalMs: 0 } }, h);
    const run = task.run();
    await until(() => task.state === 'RUNNING');
    await new Promise((r) => setTimeout(r, 50));
    const target = tempDir();
    task.savepoint({ type: 'savepoint', jobId: deploy.jobId, attempt: 1, triggerId: 'ab'.repeat(16), targetDirectory: target, then: 'stop', drain: false });
    await run;
    expect(events.map((e) => e.type === 'state' ? e.state : e.type)).toEqual(['RUNNING', 'savepoint', 'FINISHED']);
    // The task completes a savepoint itself, once its output is committed.
    const sp = events[1] as Extract<TaskEvent, { type: 'savepoint' }>;
    expect(sp.path!.startsWith(target)).toBe(true);
    const saved = (Object.values((await readCheckpoint(sp.path!)).snapshot.sources)[0] as { n: number }).n;
    expect(saved).toBeGreaterThan(0);

    // Resumed from the savepoint, the source continues where it stopped.
    const dir = tempDir();
    const next = host(() => true, dir);
    const resumed = new Task({ ...deploy, attempt: 1, restore: sp.path!, checkpoints: { ...deploy.checkpoints, dir, intervalMs: 20 } }, next.host);
    const run2 = resumed.run();
    await until(() => next.events.some((e) => e.type === 'checkpoint'));
    resumed.cancel();
    await run2;
    const first = next.events.find((e): e is Extract<TaskEvent, { type: 'checkpoint' }> => e.type === 'checkpoint')!;
    const position = (Object.values((await readCheckpoint(chkPath(dir, first))).snapshot.sources)[0] as { n: number }).n;
    expect(position).toBeGreaterThan(saved);
  });
});
