// `sluice reconcile` on the real stack (issue 15.4), the three playground pipelines at once in one cluster:
// the click count on event time (Kafka → Kafka, at-least-once) fed out-of-order and late clicks, the spend
// report (Kafka → MySQL) and the payments job (Kafka → Elasticsearch), while the taskmanager is killed with
// -9 twice. Then, with the jobs still running: (a)+(c) reconcile says OK (exit 0) and explains the late
// clicks; (b) one MySQL row changed by hand, one Elasticsearch document deleted and one bogus record in the
// output topic are each reported exactly (table, key, expected vs found), exit 1; also over REST.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDatagenCommand } from '../../runtime/cli/datagen-command.js';
import { formatTimestamp } from '../../runtime/core/values.js';
import { compileFixture, jobIdOf, TestCluster } from '../cluster/helpers.js';
import { BOOTSTRAP, closeAdmin, createTopic, produce, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';

const { Client: EsClient } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHECKPOINTS = ['-D', 'execution.checkpointing.interval=500ms'];
const RESTART = ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=100', '-D', 'restart-strategy.fixed-delay.delay=300 ms'];
const PAGES = ['/index', '/shop', '/help'];

let cluster: TestCluster;
const es = new EsClient({ node: process.env.ES_URL ?? 'http://127.0.0.1:9200' });
const db = () => mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'sql-demo', password: 'demo-sql', database: 'sql-demo', timezone: 'Z' });
const id = randomUUID().slice(0, 8);
const table = `spend_report_rc_${id}`;
const index = `rc_pay_${id}`;
const topics = { clicks: uniqueTopic('rc-clicks'), out: uniqueTopic('rc-clicks-out'), tx: uniqueTopic('rc-tx'), pay: uniqueTopic('rc-pay') };
const jobs: Record<'clicks' | 'spend' | 'pay', { bundle: string; sets: string[]; id?: string }> = {
  clicks: { bundle: '', sets: ['--set', `clicks.properties.group.id=${uniqueGroup('rc-clicks')}`, '--set', 'clicks.properties.session.timeout.ms=6000'] },
  spend: { bundle: '', sets: ['--set', `spend_report.table-name=${table}`, '--set', `transactions.properties.group.id=${uniqueGroup('rc-spend')}`, '--set', 'transactions.properties.session.timeout.ms=6000'] },
  pay: { bundle: '', sets: ['--set', `es_sink.index=${index}`, '--set', 'payment_msg.scan.startup.mode=earliest-offset', '--set', `payment_msg.properties.group.id=${uniqueGroup('rc-pay')}`, '--set', 'payment_msg.properties.session.timeout.ms=6000'] },
};

/** Clicks 50 ms apart in event time, 3 pages; every 40th is 20 s behind (late: the watermark allows 200 ms). */
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const clicks = Array.from({ length: 4000 }, (_, i) => ({ ts: T0 + i * 50 - (i % 40 === 39 ? 20_000 : i % 7 === 3 ? 150 : 0), page: PAGES[i % 3] }));

async function checkpoints(jobId: string): Promise<number> {
  return (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json?.counts?.completed ?? 0;
}

async function newCheckpoints(ids: string[], n = 1): Promise<void> {
  const before = await Promise.all(ids.map(checkpoints));
  await cluster.waitFor('new checkpoints', async () => (await Promise.all(ids.map(checkpoints))).every((c, i) => c >= before[i] + n), 60_000);
}

function reconcile(job: keyof typeof jobs): { status: number | null; report: any; stderr: string } {
  const r = cluster.sluice(['reconcile', jobs[job].bundle, ...jobs[job].sets, '--json']);
  let report: any = null;
  try { report = JSON.parse(r.stdout); } catch { /* reported below */ }
  return { status: r.status, report, stderr: r.stderr };
}

beforeAll(async () => {
  cluster = await TestCluster.start({ slots: 3, defines: ['heartbeat.timeout=2000'] });
  await Promise.all(Object.values(topics).map((t) => createTopic(t)));
  const conn = await db();
  await conn.query(`CREATE TABLE \`${table}\` (account_id BIGINT NOT NULL, log_ts TIMESTAMP(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id, log_ts))`);
  await conn.end();
  jobs.clicks.bundle = compileFixture('jobs/click-event-count.ts', ['--event-time', '--input-topic', topics.clicks, '--output-topic', topics.out]);
  jobs.spend.bundle = compileFixture('jobs/spend-report.ts', ['--topic', topics.tx]);
  jobs.pay.bundle = compileFixture('jobs/payment-msg-processing.ts', ['--topic', topics.pay]);
}, 300_000);

afterAll(async () => {
  cluster?.stop();
  const conn = await db();
  await conn.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
  await conn.end();
  await es.indices.delete({ index }).catch(() => {});
  await closeAdmin();
});

describe('sluice reconcile on the real stack', () => {
  it('three pipelines, two kill -9: OK with the late clicks explained; hand-made damage reported exactly', async () => {
    for (const j of Object.values(jobs)) j.id = jobIdOf(cluster.sluice(['run', '-d', j.bundle, ...j.sets, ...CHECKPOINTS, ...RESTART]));
    const ids = Object.values(jobs).map((j) => j.id!);
    for (const jobId of ids) await cluster.waitForState(jobId, 'RUNNING', 30_000);
    // Input arrives while the taskmanager is killed: clicks in 20 chunks, transactions and payments throttled.
    const json = (c: { ts: number; page: string }) => JSON.stringify({ timestamp: formatTimestamp(c.ts, 3), page: c.page });
    const feeding = Promise.all([
      (async () => { for (let i = 0; i < clicks.length; i += 200) { await produce(topics.clicks, clicks.slice(i, i + 200).map((c) => ({ value: json(c) }))); await sleep(250); } })(),
      runDatagenCommand('transactions', { topic: topics.tx, count: 3000, rate: 600, seed: 5, bootstrapServers: BOOTSTRAP }),
      runDatagenCommand('payments', { topic: topics.pay, count: 1500, rate: 300, seed: 6, bootstrapServers: BOOTSTRAP }),
    ]);
    for (let kill = 0; kill < 2; kill++) {
      await newCheckpoints(ids);
      process.kill(cluster.pid('taskmanager-1'), 'SIGKILL');
      for (const jobId of ids) await cluster.waitForState(jobId, 'RESTARTING', 15_000);
      expect(cluster.sluice(['taskmanager', 'start', '--slots', '3']).status).toBe(0);
      for (const jobId of ids) await cluster.waitForState(jobId, 'RUNNING', 30_000);
    }
    await feeding;
    // Checkpoints after the input ended: the ranges end where the input does (the sinks hold nothing later).
    await newCheckpoints(ids, 3);

    // (a) + (c): the jobs are still running; every difference is explained.
    const clickRun = reconcile('clicks');
    expect(clickRun.status, clickRun.stderr).toBe(0);
    const out = clickRun.report.tables[0];
    expect(out).toMatchObject({ table: 'click_event_statistics', missing: 0, extra: 0, changed: 0 });
    expect(out.matched).toBeGreaterThan(0);
    expect(out.explanations['late records']).toBeGreaterThan(0);
    expect(clickRun.report.notes.join('\n')).toMatch(/behind the watermark/);
    for (const job of ['spend', 'pay'] as const) {
      const r = reconcile(job);
      expect(r.status, r.stderr + JSON.stringify(r.report)).toBe(0);
      expect(r.report.tables[0]).toMatchObject({ missing: 0, extra: 0, changed: 0 });
      expect(r.report.tables[0].matched).toBeGreaterThan(0);
    }

    // (b) damage by hand, each reported exactly.
    const conn = await db();
    const [[row]] = await conn.query(`SELECT account_id, log_ts, amount FROM \`${table}\` ORDER BY account_id, log_ts LIMIT 1`) as unknown as [{ account_id: number; log_ts: Date; amount: number }[]];
    await conn.query(`UPDATE \`${table}\` SET amount = amount + 1 WHERE account_id = ? AND log_ts = ?`, [row.account_id, row.log_ts]);
    await conn.end();
    const spend = reconcile('spend');
    expect(spend.status, spend.stderr).toBe(1);
    expect(spend.report.ok).toBe(false);
    expect(spend.report.tables[0]).toMatchObject({ table: 'spend_report', missing: 0, extra: 0, changed: 1 });
    expect(spend.report.tables[0].examples[0]).toMatchObject({
      kind: 'changed', key: { account_id: row.account_id, log_ts: row.log_ts.getTime() },
      expected: { amount: Number(row.amount) }, found: { amount: Number(row.amount) + 1 },
    });

    // The same report over REST (the run's --set applied by the jobmanager, which has them).
    const rest = await cluster.rest('GET', `/jobs/${jobs.spend.id}/reconcile`);
    expect(rest.status, rest.text).toBe(200);
    expect(rest.json.ok).toBe(false);
    expect(rest.json.tables[0]).toMatchObject({ table: 'spend_report', missing: 0, extra: 0, changed: 1 });

    await es.delete({ index, id: 'Beijing', refresh: true });
    const pay = reconcile('pay');
    expect(pay.status, pay.stderr).toBe(1);
    expect(pay.report.tables[0]).toMatchObject({ table: 'es_sink', missing: 1, extra: 0, changed: 0 });
    expect(pay.report.tables[0].examples[0]).toMatchObject({ kind: 'missing', key: { province: 'Beijing' }, found: null });
    expect(pay.report.tables[0].examples[0].expected.pay_amount).toBeGreaterThan(0);

    const bogus = { windowStart: '2020-01-01 00:00:00.000', windowEnd: '2020-01-01 00:00:15.000', page: '/bogus', count: 7 };
    await produce(topics.out, [{ value: JSON.stringify(bogus) }]);
    const click = reconcile('clicks');
    expect(click.status, click.stderr).toBe(1);
    expect(click.report.tables[0]).toMatchObject({ missing: 0, extra: 1, changed: 0 });
    expect(click.report.tables[0].examples[0]).toMatchObject({
      kind: 'extra', key: { windowStart: Date.UTC(2020, 0, 1), windowEnd: Date.UTC(2020, 0, 1, 0, 0, 15), page: '/bogus' }, expected: null, found: { count: 7 },
    });
  }, 400_000);
});
