// The operations playground's "Upgrading & Rescaling a Job" on the real stack, with the commands of
// docs/operations.md "Scaling out": the click count runs in a session cluster at -p 1 while clicks arrive on a
// 6-partition topic, is stopped with a savepoint (`sluice stop --savepointPath`), resumed from it at -p 3
// (`sluice run -s <savepoint> -p 3`), stopped with a savepoint again and resumed at -p 2. The output topic, read
// with read_committed, holds every page × closed window exactly once with the count an independent count of
// the input topic gives.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDatagenCommand } from '../../runtime/cli/datagen-command.js';
import { parseTimestamp } from '../../runtime/core/values.js';
import { jobIdOf, TestCluster } from '../cluster/helpers.js';
import { tempDir } from '../helpers/tables.js';
import { eventually } from '../jdbc/changelog.js';
import { admin, BOOTSTRAP, closeAdmin, createTopic, readTopic, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WINDOWS = 7; // the 7th window stays open: no later click moves the watermark past it

let cluster: TestCluster | undefined;
const cl = () => cluster!;

beforeAll(async () => {
  // One taskmanager with the 3 slots the job takes at -p 3 (slot sharing: one slot per subtask index).
  cluster = await TestCluster.start({ slots: 3 });
}, 60_000);

/** Cancels what a failed test left running (it would hold the slots the next one needs) and waits for it. */
afterEach(async () => {
  const c = cl();
  const live = ((await c.rest('GET', '/jobs')).json?.jobs ?? []).filter((j: { status: string }) => ['RUNNING', 'RESTARTING', 'CREATED'].includes(j.status)) as { id: string }[];
  for (const j of live) await c.rest('PATCH', `/jobs/${j.id}?mode=cancel`);
  for (const j of live) await c.waitForJob(j.id, (s) => ['CANCELED', 'FINISHED', 'FAILED'].includes(s.state), 30_000);
}, 60_000);

afterAll(async () => {
  const c = cluster;
  cluster = undefined;
  if (c) {
    for (const j of ((await c.rest('GET', '/jobs').catch(() => null))?.json?.jobs ?? []) as { id: string; status: string }[]) {
      if (j.status === 'RUNNING' || j.status === 'RESTARTING') await c.rest('PATCH', `/jobs/${j.id}?mode=cancel`).catch(() => {});
    }
    c.stop();
  }
  await closeAdmin();
});

async function completedCheckpoints(jobId: string): Promise<number> {
  return (await cl().rest('GET', `/jobs/${jobId}/checkpoints`)).json?.counts?.completed ?? 0;
}

/** The parallelism a savepoint was taken at: its parts, one per subtask. */
function savepointParallelism(dir: string): number {
  const snap = JSON.parse(fs.readFileSync(path.join(dir, '_state'), 'utf8')) as { subtasks?: unknown[] };
  return snap.subtasks?.length ?? 1;
}

describe('upgrading & rescaling a job: -p 1 → savepoint → -p 3 → savepoint → -p 2', () => {
  it('click counts per page and window (read_committed) equal an independent count of the input', async () => {
    const { input, output, job, total, feeding } = await clickJob('rs');
    const savepoints = tempDir('sluice-rescale-sp-');

    const stopWithSavepoint = async (jobId: string): Promise<string> => {
      await cl().waitFor(`a checkpoint of ${jobId}`, async () => ((await completedCheckpoints(jobId)) > 0 ? true : null), 60_000);
      await sleep(500 + Math.floor(Math.random() * 1500));
      const r = cl().sluice(['stop', '--savepointPath', savepoints, jobId]);
      expect(r.status, r.stderr).toBe(0);
      const m = /Savepoint completed\. Path: (\S+)/.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      await cl().waitForState(jobId, 'FINISHED', 30_000);
      return m![1];
    };

    const first = jobIdOf(cl().sluice(['run', '-d', '-p', '1', ...job]));
    await cl().waitForState(first, 'RUNNING', 60_000);
    const sp1 = await stopWithSavepoint(first);

    const second = jobIdOf(cl().sluice(['run', '-d', '-s', sp1, '-p', '3', ...job]));
    await cl().waitForState(second, 'RUNNING', 60_000);
    const sp2 = await stopWithSavepoint(second);

    const third = jobIdOf(cl().sluice(['run', '-d', '-s', sp2, '-p', '2', ...job]));
    await cl().waitForState(third, 'RUNNING', 60_000);
    expect([savepointParallelism(sp1), savepointParallelism(sp2)]).toEqual([1, 3]);
    const restored = (await cl().rest('GET', `/jobs/${third}/checkpoints`)).json.latest.restored;
    expect(restored).toMatchObject({ is_savepoint: true, external_path: sp2 });
    await feeding;

    await expectExactCounts(input, total, output, third);
    await cl().rest('PATCH', `/jobs/${third}?mode=cancel`);
  }, 300_000);
});

describe('REST resource-requirements (the adaptive scheduler\'s rescale of a running job)', () => {
  it('GET gives every vertex [1, parallelism]; PUT rescales the running job 1 -> 3 -> 2, exact', async () => {
    const { input, output, job, total, feeding } = await clickJob('rr');
    const jobId = jobIdOf(cl().sluice(['run', '-d', '-p', '1', ...job]));
    await cl().waitForState(jobId, 'RUNNING', 60_000);
    const requirements = async () => (await cl().rest('GET', `/jobs/${jobId}/resource-requirements`)).json as Record<string, { parallelism: { lowerBound: number; upperBound: number } }>;
    const vertices = Object.keys(await requirements());
    expect(vertices.length).toBeGreaterThan(1);
    expect(Object.values(await requirements())).toEqual(vertices.map(() => ({ parallelism: { lowerBound: 1, upperBound: 1 } })));
    const body = (upper: number) => Object.fromEntries(vertices.map((v) => [v, { parallelism: { lowerBound: 1, upperBound: upper } }]));

    // Refused with a reason: a vertex missing, bounds that differ between vertices, lower above upper, bad shape.
    const refused = async (b: unknown, reason: RegExp) => {
      const r = await cl().rest('PUT', `/jobs/${jobId}/resource-requirements`, b);
      expect(r.status, r.text).toBe(400);
      expect(r.text).toMatch(reason);
    };
    await refused({ [vertices[0]]: { parallelism: { lowerBound: 1, upperBound: 2 } } }, /must name every vertex/);
    await refused({ ...body(2), [vertices[0]]: { parallelism: { lowerBound: 1, upperBound: 3 } } }, /same upperBound/);
    await refused(body(0), /upperBound/);
    await refused({ ...body(2), [vertices[0]]: { parallelism: { lowerBound: 3, upperBound: 2 } } }, /lowerBound 3 is above upperBound 2/);

    let checkpoint = 0;
    const rescale = async (to: number) => {
      await cl().waitFor(`a checkpoint of ${jobId}`, async () => { const n = await completedCheckpoints(jobId); return n > checkpoint ? n : null; }, 60_000);
      await sleep(500 + Math.floor(Math.random() * 1500));
      const r = await cl().rest('PUT', `/jobs/${jobId}/resource-requirements`, body(to));
      expect(r.status, r.text).toBe(200);
      await cl().waitFor(`job ${jobId} restarted at parallelism ${to}`, async () => new RegExp(`Rescaling job ${jobId} from parallelism \\d+ to ${to}`).test(cl().log('jobmanager')), 60_000);
      await cl().waitForState(jobId, 'RUNNING', 60_000);
      expect(Object.values(await requirements()).every((x) => x.parallelism.upperBound === to)).toBe(true);
      checkpoint = await completedCheckpoints(jobId);
    };
    await rescale(3);
    await rescale(2);
    const restored = (await cl().rest('GET', `/jobs/${jobId}/checkpoints`)).json.latest.restored;
    expect(restored).toMatchObject({ is_savepoint: true });
    expect(savepointParallelism(restored.external_path)).toBe(3);
    expect((await cl().job(jobId)).state).toBe('RUNNING');
    await feeding;
    await expectExactCounts(input, total, output, jobId);
    await cl().rest('PATCH', `/jobs/${jobId}?mode=cancel`);
  }, 300_000);

  it('a job whose source positions cannot be split is refused, naming the source', async () => {
    const jobId = jobIdOf(cl().sluice(['run', '-d', 'test/cluster/fixtures/passthrough.ts', '--', '--rows', '50', '--output', tempDir('sluice-rr-copy-')]));
    const vertices = Object.keys((await cl().rest('GET', `/jobs/${jobId}/resource-requirements`)).json);
    const r = await cl().rest('PUT', `/jobs/${jobId}/resource-requirements`, Object.fromEntries(vertices.map((v) => [v, { parallelism: { lowerBound: 1, upperBound: 2 } }])));
    expect(r.status, r.text).toBe(400);
    expect(r.text).toMatch(/cannot be rescaled: source \S+ \(connector 'datagen'\) has no split assignment/);
    await cl().rest('PUT', `/jobs/${'0'.repeat(32)}/resource-requirements`, {}).then((x) => expect(x.status).toBe(404));
  }, 120_000);
});

/** The independent count: every click of the input topic into its page and 15 s window, closed windows only. */
async function expectedCounts(input: string, total: number): Promise<string[]> {
  // The generator's producer may resend a batch under load (at-least-once): the topic holds what it holds.
  const offsets = await (await admin()).fetchTopicOffsets(input);
  expect(offsets).toHaveLength(6);
  const inTopic = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  expect(inTopic).toBeGreaterThanOrEqual(total);
  const clicks = [...new Map((await readTopic(input, { count: inTopic, timeoutMs: 90_000 })).map((r) => [`${r.partition}:${r.offset}`, r])).values()]
    .map((r) => JSON.parse(r.value!) as { timestamp: string; page: string });
  expect(clicks).toHaveLength(inTopic);
  const counts = new Map<string, number>();
  for (const c of clicks) {
    const t = parseTimestamp(c.timestamp)!;
    const key = `${t - (t % 15_000)}|${c.page}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const starts = [...new Set([...counts.keys()].map((k) => Number(k.split('|')[0])))].sort((a, b) => a - b);
  expect(starts).toHaveLength(WINDOWS);
  const closed = new Set(starts.slice(0, WINDOWS - 1));
  return [...counts].filter(([k]) => closed.has(Number(k.split('|')[0]))).map(([k, n]) => `${k}|${n}`).sort();
}

/** The output topic read with read_committed holds exactly the independent count, once the job committed it. */
async function expectExactCounts(input: string, total: number, output: string, jobId: string): Promise<void> {
  const expected = await expectedCounts(input, total);
  // One record per offset: the reading consumer group may deliver a batch twice when it rebalances under load.
  const read = async (opts: { count?: number; quietMs?: number }) => [...new Map((await readTopic(output, { ...opts, timeoutMs: 30_000 })).map((r) => [`${r.partition}:${r.offset}`, r])).values()].map((r) => {
    const o = JSON.parse(r.value!) as { windowStart: string; windowEnd: string; page: string; count: number };
    expect(parseTimestamp(o.windowEnd)! - parseTimestamp(o.windowStart)!).toBe(15_000);
    return `${parseTimestamp(o.windowStart)}|${o.page}|${o.count}`;
  });
  await eventually(async () => (await read({ count: expected.length })).length >= expected.length, 120_000, `${expected.length} committed windows in ${output}`);
  // One more checkpoint commits whatever else there might be (a repeated window), then a quiet read.
  const n = await completedCheckpoints(jobId);
  await cl().waitFor('one more checkpoint', async () => ((await completedCheckpoints(jobId)) > n ? true : null), 30_000);
  expect((await read({ quietMs: 2000 })).sort()).toEqual(expected);
}

/** The click count with exactly-once output, and a generator feeding a new 6-partition topic while it runs. */
async function clickJob(name: string) {
  const input = uniqueTopic(`${name}-clicks`); // created by the generator with 6 partitions
  const output = await createTopic(uniqueTopic(`${name}-clicks-out`), 2);
  const sets = ['--set', 'click_event_statistics.sink.delivery-guarantee=exactly-once',
    '--set', `click_event_statistics.sink.transactional-id-prefix=${name}-${randomUUID().slice(0, 8)}`,
    '--set', `clicks.properties.group.id=${uniqueGroup(name)}`, '-D', 'execution.checkpointing.interval=1s'];
  const job = ['jobs/click-event-count.ts', ...sets, '--', '--event-time', '--input-topic', input, '--output-topic', output];
  const total = WINDOWS * 6000;
  // Throttled, so that each rescale falls while clicks still arrive and windows are open.
  const feeding = runDatagenCommand('clicks', { topic: input, count: total, rate: 1200, seed: 7, partitions: 6, bootstrapServers: BOOTSTRAP, progress: devNull() });
  await cl().waitFor('the input topic', async () => (await (await admin()).listTopics()).includes(input), 30_000);
  return { input, output, job, total, feeding };
}

function devNull(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}
