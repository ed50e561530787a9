// The operations playground's "Upgrading & Rescaling a Job" on the real stack, with the commands of
// docs/operations.md "Scaling out": the click count runs in a session cluster at -p 1 while clicks arrive on a
// 6-partition topic, is stopped with a savepoint (`sluice stop --savepointPath`), resumed from it at -p 3
// (`sluice run -s <savepoint> -p 3`), stopped with a savepoint again and resumed at -p 2. The output topic, read
// with read_committed, holds every page × closed window exactly once with the count an independent count of
// the input topic gives.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const input = uniqueTopic('rs-clicks'); // created by the generator with 6 partitions
    const output = await createTopic(uniqueTopic('rs-clicks-out'), 2);
    const sets = ['--set', 'click_event_statistics.sink.delivery-guarantee=exactly-once',
      '--set', `click_event_statistics.sink.transactional-id-prefix=rs-${randomUUID().slice(0, 8)}`,
      '--set', `clicks.properties.group.id=${uniqueGroup('rs-clicks')}`, '-D', 'execution.checkpointing.interval=1s'];
    const job = ['jobs/click-event-count.ts', ...sets, '--', '--event-time', '--input-topic', input, '--output-topic', output];
    const total = WINDOWS * 6000;
    // Throttled, so that each stop falls while clicks still arrive and windows are open.
    const feeding = runDatagenCommand('clicks', { topic: input, count: total, rate: 1200, seed: 7, partitions: 6, bootstrapServers: BOOTSTRAP, progress: devNull() });
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

    await cl().waitFor('the input topic', async () => (await (await admin()).listTopics()).includes(input), 30_000);
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

    // The independent count: every click of the input topic into its page and 15 s window.
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
    const expected = [...counts].filter(([k]) => closed.has(Number(k.split('|')[0]))).map(([k, n]) => `${k}|${n}`).sort();

    // One record per offset: the reading consumer group may deliver a batch twice when it rebalances under load.
    const read = async (opts: { count?: number; quietMs?: number }) => [...new Map((await readTopic(output, { ...opts, timeoutMs: 30_000 })).map((r) => [`${r.partition}:${r.offset}`, r])).values()].map((r) => {
      const o = JSON.parse(r.value!) as { windowStart: string; windowEnd: string; page: string; count: number };
      expect(parseTimestamp(o.windowEnd)! - parseTimestamp(o.windowStart)!).toBe(15_000);
      return `${parseTimestamp(o.windowStart)}|${o.page}|${o.count}`;
    });
    await eventually(async () => (await read({ count: expected.length })).length >= expected.length, 120_000, `${expected.length} committed windows in ${output}`);
    // One more checkpoint commits whatever else there might be (a repeated window), then a quiet read.
    const n = await completedCheckpoints(third);
    await cl().waitFor('one more checkpoint', async () => ((await completedCheckpoints(third)) > n ? true : null), 30_000);
    expect((await read({ quietMs: 2000 })).sort()).toEqual(expected);
    await cl().rest('PATCH', `/jobs/${third}?mode=cancel`);
  }, 300_000);
});

function devNull(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}
