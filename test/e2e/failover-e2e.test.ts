// Failover on the real stack: a session cluster runs the playground jobs against Kafka and MariaDB while the
// taskmanager is killed with -9 at random moments (and restarted), and while the job is stopped with a
// savepoint and resumed from it. The proof: the results equal an independent computation from the input
// records read back from Kafka — for the Click Event Count job with an exactly-once Kafka sink, every page ×
// every closed window appears exactly once in the output topic (read_committed) with 1000 clicks, also when the
// job writes the same counts into two exactly-once topics (both identical); for the
// spend report, the MySQL table equals the hourly sums of the topic; for the payments job, the documents in
// Elasticsearch equal the province sums of the topic.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDatagenCommand } from '../../runtime/cli/datagen-command.js';
import { parseTimestamp } from '../../runtime/core/values.js';
import { compileFixture, jobIdOf, TestCluster } from '../cluster/helpers.js';
import { tempDir } from '../helpers/tables.js';
import { eventually } from '../jdbc/changelog.js';
import { BOOTSTRAP, closeAdmin, createTopic, readTopic, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';

const db = () => mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'sql-demo', password: 'demo-sql', database: 'sql-demo', timezone: 'Z' });
const { Client: EsClient } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PAGES = ['/about', '/help', '/index', '/jobs', '/news', '/shop'];
const WINDOWS = 7; // 7 windows written, so that 6 close (no later event moves the watermark past the 7th)
// The sources join a real consumer group (kafkajs cannot assign partitions by hand): after a kill -9, the
// restarted source's join waits until the broker drops the dead member, i.e. up to session.timeout.ms
// (kafkajs' default 30 s). The broker's minimum, 6 s, keeps each recovery short.
const CHECKPOINTS = ['-D', 'execution.checkpointing.interval=500ms'];
const RESTART = ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=1000', '-D', 'restart-strategy.fixed-delay.delay=300 ms'];

let cluster: TestCluster | undefined;

beforeAll(async () => {
  cluster = await TestCluster.start({ defines: ['heartbeat.timeout=2000'] });
});

/** Cancels what still runs (a failed test's job would hold the only slot), and waits until the slot is free. */
async function cancelAll(c: TestCluster): Promise<void> {
  try {
    const live = ((await c.rest('GET', '/jobs')).json?.jobs ?? []).filter((j: any) => ['RUNNING', 'RESTARTING', 'CREATED'].includes(j.status));
    for (const j of live) await c.rest('PATCH', `/jobs/${j.id}?mode=cancel`);
    for (const j of live) await c.waitForJob(j.id, (s) => ['CANCELED', 'FINISHED', 'FAILED'].includes(s.state), 30_000);
  } catch { /* the cluster may be gone already */ }
}

afterEach(async () => {
  if (cluster) await cancelAll(cluster);
});

afterAll(async () => {
  const c = cluster;
  cluster = undefined;
  if (c) {
    await cancelAll(c);
    c.stop();
  }
  await closeAdmin();
});

const cl = () => cluster!;

async function completedCheckpoints(jobId: string): Promise<number> {
  return (await cl().rest('GET', `/jobs/${jobId}/checkpoints`)).json?.counts?.completed ?? 0;
}

async function waitForNewCheckpoint(jobId: string, after: number, timeoutMs = 30_000): Promise<number> {
  return cl().waitFor(`a checkpoint after #${after} of ${jobId}`, async () => { const n = await completedCheckpoints(jobId); return n > after ? n : null; }, timeoutMs);
}

/**
 * kill -9 of the taskmanager `times` times at random moments: each time the job goes RESTARTING, a new
 * taskmanager starts, the job runs again and completes at least one new checkpoint before the next kill.
 */
async function killLoop(jobId: string, times: number, maxPauseMs = 2500): Promise<void> {
  const c = cl();
  for (let i = 0; i < times; i++) {
    await sleep(300 + Math.floor(Math.random() * maxPauseMs));
    process.kill(c.pid('taskmanager-1'), 'SIGKILL');
    await c.waitForState(jobId, 'RESTARTING', 15_000);
    const before = await completedCheckpoints(jobId);
    const tm = c.sluice(['taskmanager', 'start']);
    expect(tm.status, tm.stderr).toBe(0);
    await c.waitForState(jobId, 'RUNNING', 30_000);
    await waitForNewCheckpoint(jobId, before);
  }
}

/** The window starts of the clicks in `topic` (sorted), read back independently. */
async function clickWindowStarts(topic: string, count: number): Promise<number[]> {
  const clicks = (await readTopic(topic, { count, timeoutMs: 60_000 })).map((r) => JSON.parse(r.value!) as { timestamp: string; page: string });
  expect(clicks).toHaveLength(count);
  return [...new Set(clicks.map((c) => { const t = parseTimestamp(c.timestamp)!; return t - (t % 15_000); }))].sort((a, b) => a - b);
}

/** The output topic read with read_committed, sorted; waits for `expected` records, then for stragglers. */
async function committedCounts(topic: string, jobId: string, expected: number) {
  await eventually(async () => (await readTopic(topic, { count: expected, timeoutMs: 5_000 })).length >= expected, 90_000, `${expected} committed windows in ${topic}`);
  // Two more checkpoints commit whatever else there might be (duplicates), then a final quiet read.
  const n = await completedCheckpoints(jobId);
  if ((await cl().job(jobId)).state === 'RUNNING') await waitForNewCheckpoint(jobId, n + 1);
  const out = await readTopic(topic, { quietMs: 2000, timeoutMs: 30_000 });
  return out.map((r) => JSON.parse(r.value!) as { windowStart: string; windowEnd: string; page: string; count: number })
    .map((o) => ({ ws: parseTimestamp(o.windowStart)!, we: parseTimestamp(o.windowEnd)!, page: o.page, count: o.count }))
    .sort((a, b) => a.ws - b.ws || a.page.localeCompare(b.page));
}

const expectedCounts = (starts: number[]) => starts.slice(0, WINDOWS - 1).flatMap((ws) => PAGES.map((page) => ({ ws, we: ws + 15_000, page, count: 1000 })));

function clickArgs(input: string, output: string, prefix: string, group: string): { sets: string[]; args: string[] } {
  return {
    sets: ['--set', 'click_event_statistics.sink.delivery-guarantee=exactly-once', '--set', `click_event_statistics.sink.transactional-id-prefix=${prefix}`,
      '--set', `clicks.properties.group.id=${group}`, '--set', 'clicks.properties.session.timeout.ms=6000', ...CHECKPOINTS, ...RESTART],
    args: ['--event-time', '--input-topic', input, '--output-topic', output],
  };
}

describe('failover on the real stack', () => {
  it('click event count, exactly-once to Kafka: kill -9 of the taskmanager 3 times, no window lost or repeated', async () => {
    const input = await createTopic(uniqueTopic('fo-clicks'), 1);
    const output = await createTopic(uniqueTopic('fo-clicks-out'), 1);
    const { sets, args } = clickArgs(input, output, `fo-${randomUUID().slice(0, 8)}`, uniqueGroup('fo-clicks'));
    // One generator writes all 7 windows (it starts at the current window boundary, so a second run would
    // overlap the first one's windows), throttled so that the kills fall while clicks still arrive.
    const total = WINDOWS * 6000;
    const feeding = runDatagenCommand('clicks', { topic: input, count: total, rate: 2500, seed: 1, bootstrapServers: BOOTSTRAP });
    const jobId = jobIdOf(cl().sluice(['run', '-d', 'jobs/click-event-count.ts', ...sets, '--', ...args]));
    await cl().waitForState(jobId, 'RUNNING', 30_000);
    await waitForNewCheckpoint(jobId, 0);
    await killLoop(jobId, 3);
    await feeding;
    const starts = await clickWindowStarts(input, total);
    expect(starts).toHaveLength(WINDOWS);
    const got = await committedCounts(output, jobId, (WINDOWS - 1) * PAGES.length);
    expect(got).toEqual(expectedCounts(starts));
    expect(cl().log('jobmanager')).toMatch(new RegExp(`Restoring job ${jobId} from Checkpoint \\d+`));
    await cl().rest('PATCH', `/jobs/${jobId}?mode=cancel`);
  }, 150_000);

  // Issue 13.6: both exactly-once sinks of the job share one Kafka transaction, so no crash can commit one
  // topic's windows without the other's (with a transaction each, a kill between the two commits made the
  // restore refuse the checkpoint for one sink and the replay repeat the other's windows).
  it('one stream into two exactly-once topics: kill -9 of the taskmanager 4 times, both topics identical and exact', async () => {
    const input = await createTopic(uniqueTopic('fo2-clicks'), 1);
    const outputs = [await createTopic(uniqueTopic('fo2-out-a'), 1), await createTopic(uniqueTopic('fo2-out-b'), 1)];
    const total = WINDOWS * 6000;
    const feeding = runDatagenCommand('clicks', { topic: input, count: total, rate: 2500, seed: 2, bootstrapServers: BOOTSTRAP });
    const jobId = jobIdOf(cl().sluice(['run', '-d', 'test/cluster/fixtures/two-topic-counts.ts', ...CHECKPOINTS, ...RESTART, '--',
      '--input-topic', input, '--output-a', outputs[0], '--output-b', outputs[1], '--group', uniqueGroup('fo2'), '--prefix', `fo2-${randomUUID().slice(0, 8)}`]));
    await cl().waitForState(jobId, 'RUNNING', 30_000);
    await waitForNewCheckpoint(jobId, 0);
    await killLoop(jobId, 4, 1500);
    await feeding;
    const starts = await clickWindowStarts(input, total);
    expect(starts).toHaveLength(WINDOWS);
    const [a, b] = [await committedCounts(outputs[0], jobId, (WINDOWS - 1) * PAGES.length), await committedCounts(outputs[1], jobId, (WINDOWS - 1) * PAGES.length)];
    expect(a).toEqual(expectedCounts(starts));
    expect(b).toEqual(a);
    expect(cl().log('jobmanager')).toMatch(new RegExp(`Restoring job ${jobId} from Checkpoint \\d+`));
    await cl().rest('PATCH', `/jobs/${jobId}?mode=cancel`);
  }, 180_000);

  it('spend report into MySQL: kill -9 of the taskmanager 3 times, the table equals the hourly sums of the topic', async () => {
    const topic = await createTopic(uniqueTopic('fo-transactions'), 1);
    const table = `spend_report_${randomUUID().slice(0, 8)}`;
    const conn = await db();
    try {
      await conn.query(`CREATE TABLE \`${table}\` (account_id BIGINT NOT NULL, log_ts TIMESTAMP(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id, log_ts))`);
      const count = 10_000;
      const feeding = runDatagenCommand('transactions', { topic, count, rate: 800, seed: 11, bootstrapServers: BOOTSTRAP });
      const jobId = jobIdOf(cl().sluice(['run', '-d', 'jobs/spend-report.ts', '--set', `spend_report.table-name=${table}`,
        '--set', `transactions.properties.group.id=${uniqueGroup('fo-spend')}`, '--set', 'transactions.properties.session.timeout.ms=6000', ...CHECKPOINTS, ...RESTART, '--', '--topic', topic]));
      await cl().waitForState(jobId, 'RUNNING', 30_000);
      await waitForNewCheckpoint(jobId, 0);
      await killLoop(jobId, 3);
      await feeding;
      const records = await readTopic(topic, { count, timeoutMs: 60_000 });
      expect(records).toHaveLength(count);
      const expected = new Map<string, number>();
      for (const r of records) {
        const [a, amount, t] = r.value!.split(',');
        const ts = parseTimestamp(t)!;
        const key = `${a}|${ts - (ts % 3_600_000)}`;
        expected.set(key, (expected.get(key) ?? 0) + Number(amount));
      }
      const read = async () => {
        const [rows] = await conn.query(`SELECT account_id, UNIX_TIMESTAMP(log_ts) * 1000 AS h, amount FROM \`${table}\``) as unknown as [{ account_id: number; h: string; amount: number }[]];
        return new Map(rows.map((r) => [`${r.account_id}|${Math.round(Number(r.h))}`, Number(r.amount)]));
      };
      const sorted = (m: Map<string, number>) => [...m].sort((x, y) => x[0].localeCompare(y[0]));
      await eventually(async () => JSON.stringify(sorted(await read())) === JSON.stringify(sorted(expected)), 60_000, 'spend_report rows').catch(() => {});
      expect(sorted(await read())).toEqual(sorted(expected));
      expect(cl().log('jobmanager')).toMatch(new RegExp(`Restoring job ${jobId} from Checkpoint \\d+`));
      await cl().rest('PATCH', `/jobs/${jobId}?mode=cancel`);
    } finally {
      await conn.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
      await conn.end();
    }
  }, 150_000);

  it('payments into Elasticsearch: kill -9 of the taskmanager 3 times, province sums equal the sums of the topic', async () => {
    const provinces = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];
    const topic = await createTopic(uniqueTopic('fo-payments'), 1);
    const index = `fo_pay_${randomUUID().slice(0, 8)}`;
    const es = new EsClient({ node: process.env.ES_URL ?? 'http://127.0.0.1:9200' });
    try {
      const count = 4000;
      const feeding = runDatagenCommand('payments', { topic, count, rate: 400, seed: 3, bootstrapServers: BOOTSTRAP });
      const jobId = jobIdOf(cl().sluice(['run', '-d', 'jobs/payment-msg-processing.ts', '--set', `es_sink.index=${index}`,
        '--set', 'payment_msg.scan.startup.mode=earliest-offset', '--set', `payment_msg.properties.group.id=${uniqueGroup('fo-pay')}`,
        '--set', 'payment_msg.properties.session.timeout.ms=6000', ...CHECKPOINTS, ...RESTART, '--', '--topic', topic]));
      await cl().waitForState(jobId, 'RUNNING', 30_000);
      await waitForNewCheckpoint(jobId, 0);
      await killLoop(jobId, 3);
      await feeding;
      const records = await readTopic(topic, { count, timeoutMs: 60_000 });
      expect(records).toHaveLength(count);
      // Summed in topic order, as the job sums them (one partition), so the doubles agree exactly.
      const expected = new Map<string, number>();
      for (const r of records) {
        const m = JSON.parse(r.value!) as { payAmount: number; provinceId: number };
        expected.set(provinces[m.provinceId], (expected.get(provinces[m.provinceId]) ?? 0) + m.payAmount);
      }
      const read = async () => {
        if (!(await es.indices.exists({ index })).body) return new Map<string, number>();
        await es.indices.refresh({ index });
        const res = await es.search({ index, body: { size: 100, query: { match_all: {} } } });
        return new Map((res.body.hits.hits as { _id: string; _source: { pay_amount: number } }[]).map((h) => [h._id, h._source.pay_amount]));
      };
      const sorted = (m: Map<string, number>) => [...m].sort((x, y) => x[0].localeCompare(y[0]));
      await eventually(async () => JSON.stringify(sorted(await read())) === JSON.stringify(sorted(expected)), 60_000, 'province sums').catch(() => {});
      expect(sorted(await read())).toEqual(sorted(expected));
      expect(cl().log('jobmanager')).toMatch(new RegExp(`Restoring job ${jobId} from Checkpoint \\d+`));
      await cl().rest('PATCH', `/jobs/${jobId}?mode=cancel`);
    } finally {
      await es.indices.delete({ index }).catch(() => {});
      await es.close();
    }
  }, 150_000);

  it('click event count: stop with a savepoint, resume the same bundle, stop again, resume the job recompiled: exact', async () => {
    const input = await createTopic(uniqueTopic('sp-clicks'), 1);
    const output = await createTopic(uniqueTopic('sp-clicks-out'), 1);
    const { sets, args } = clickArgs(input, output, `sp-${randomUUID().slice(0, 8)}`, uniqueGroup('sp-clicks'));
    const bundle = compileFixture('jobs/click-event-count.ts', args);
    const total = WINDOWS * 6000;
    const feeding = runDatagenCommand('clicks', { topic: input, count: total, rate: 3000, seed: 3, bootstrapServers: BOOTSTRAP });
    const savepoints = tempDir('sluice-savepoints-');
    const stopWithSavepoint = async (jobId: string): Promise<string> => {
      await waitForNewCheckpoint(jobId, await completedCheckpoints(jobId));
      await sleep(500 + Math.floor(Math.random() * 1500));
      const r = cl().sluice(['stop', jobId, '--savepointPath', savepoints]);
      expect(r.status, r.stderr).toBe(0);
      const m = /Savepoint completed\. Path: (\S+)/.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      await cl().waitForState(jobId, 'FINISHED', 30_000);
      return m![1];
    };
    const first = jobIdOf(cl().sluice(['run', '-d', bundle, ...sets]));
    await cl().waitForState(first, 'RUNNING', 30_000);
    const sp1 = await stopWithSavepoint(first);
    expect(path.dirname(sp1)).toBe(savepoints);
    const second = jobIdOf(cl().sluice(['run', '-d', '-s', sp1, bundle, ...sets]));
    await cl().waitForState(second, 'RUNNING', 30_000);
    const sp2 = await stopWithSavepoint(second);
    // The job file compiled anew: operator ids are stable, so the savepoint restores into it.
    const third = jobIdOf(cl().sluice(['run', '-d', '-s', sp2, 'jobs/click-event-count.ts', ...sets, '--', ...args]));
    await cl().waitForState(third, 'RUNNING', 30_000);
    await feeding;
    const starts = await clickWindowStarts(input, total);
    expect(starts).toHaveLength(WINDOWS);
    const got = await committedCounts(output, third, (WINDOWS - 1) * PAGES.length);
    expect(got).toEqual(expectedCounts(starts));
    const restored = (await cl().rest('GET', `/jobs/${third}/checkpoints`)).json.latest.restored;
    expect(restored).toMatchObject({ is_savepoint: true, external_path: sp2 });
    await cl().rest('PATCH', `/jobs/${third}?mode=cancel`);
  }, 150_000);
});
