// `sluice reconcile` on the real stack (issue 15.2, 15.4, 15.5), the three playground pipelines at once in one
// cluster, each fed out-of-order input while the taskmanager is killed with -9 twice: the click count on event
// time (Kafka → Kafka, at-least-once) with late clicks, the spend report in its windowed form (a tumbling hour on
// transaction_time, Kafka → MySQL) with late transactions, and the payments job (Kafka → Elasticsearch, no event
// time) with shuffled payments. Then, with the jobs still running: (a)+(c) reconcile says OK (exit 0) and explains
// the late clicks and transactions; (b) one MySQL row changed by hand, one Elasticsearch document deleted and one
// bogus record in the output topic are each reported exactly (table, key, expected vs found), exit 1; also over
// REST. After that, a job stopped with a savepoint and a cancelled one are reconciled against the savepoint and
// the last checkpoint, and a reconcile over a large input writes periodic progress lines. Every --json report is
// checked against SPEC §11's shape (test/helpers/reconcile-json.ts).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDatagenCommand } from '../../runtime/cli/datagen-command.js';
import { formatTimestamp } from '../../runtime/core/values.js';
import { PaymentSupplier, paymentRecord } from '../../runtime/playground-data/payments.js';
import { TransactionSupplier, transactionRecord } from '../../runtime/playground-data/transactions.js';
import { compileFixture, jobIdOf, TestCluster } from '../cluster/helpers.js';
import { tempDir } from '../helpers/tables.js';
import { parseReconcileJson } from '../helpers/reconcile-json.js';
import { admin, BOOTSTRAP, closeAdmin, createTopic, produce, uniqueGroup, uniqueTopic, type RawRecord } from '../kafka/helpers.js';

const { Client: EsClient } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHECKPOINTS = ['-D', 'execution.checkpointing.interval=500ms'];
const RESTART = ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=100', '-D', 'restart-strategy.fixed-delay.delay=300 ms'];
const PAGES = ['/index', '/shop', '/help'];
const PROVINCES = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];
const HOUR = 3_600_000;

let cluster: TestCluster;
const es = new EsClient({ node: process.env.ES_URL ?? 'http://127.0.0.1:9200' });
const db = () => mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'sql-demo', password: 'demo-sql', database: 'sql-demo', timezone: 'Z' });
const id = randomUUID().slice(0, 8);
const table = `spend_report_rc_${id}`;
const index = `rc_pay_${id}`;
const bigIndex = `rc_pay_big_${id}`;
const topics = { clicks: uniqueTopic('rc-clicks'), out: uniqueTopic('rc-clicks-out'), tx: uniqueTopic('rc-tx'), pay: uniqueTopic('rc-pay'), big: uniqueTopic('rc-pay-big') };
const bigGroup = uniqueGroup('rc-pay-big');
const jobs: Record<'clicks' | 'spend' | 'pay' | 'big', { bundle: string; sets: string[]; id?: string }> = {
  clicks: { bundle: '', sets: ['--set', `clicks.properties.group.id=${uniqueGroup('rc-clicks')}`, '--set', 'clicks.properties.session.timeout.ms=6000'] },
  spend: { bundle: '', sets: ['--set', `spend_report.table-name=${table}`, '--set', `transactions.properties.group.id=${uniqueGroup('rc-spend')}`, '--set', 'transactions.properties.session.timeout.ms=6000'] },
  pay: { bundle: '', sets: ['--set', `es_sink.index=${index}`, '--set', 'payment_msg.scan.startup.mode=earliest-offset', '--set', `payment_msg.properties.group.id=${uniqueGroup('rc-pay')}`, '--set', 'payment_msg.properties.session.timeout.ms=6000'] },
  big: { bundle: '', sets: ['--set', `payment_msg.topic=${topics.big}`, '--set', `es_sink.index=${bigIndex}`, '--set', 'payment_msg.scan.startup.mode=earliest-offset', '--set', `payment_msg.properties.group.id=${bigGroup}`] },
};

/** Clicks 50 ms apart in event time, 3 pages; every 40th is 20 s behind (late: the watermark allows 200 ms). */
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const clicks = Array.from({ length: 4000 }, (_, i) => ({ ts: T0 + i * 50 - (i % 40 === 39 ? 20_000 : i % 7 === 3 ? 150 : 0), page: PAGES[i % 3] }));

/**
 * Transactions as the playground's generator makes them (accounts 1..5 in turn, 5-6 minutes apart), every 7th
 * 3 minutes behind (out of order; late when that crosses into an hour the watermark has passed) and every 40th
 * two days behind: its hour closed long before, so the stream drops it as late and a batch does not.
 */
const txSupplier = new TransactionSupplier(5);
const transactions = Array.from({ length: 3000 }, (_, i) => {
  const t = txSupplier.get();
  const behind = i % 40 === 39 ? 48 * HOUR : i % 7 === 3 ? 3 * 60_000 : 0;
  return { ...t, timestamp: t.timestamp - behind, behind: behind > 0 };
});
const hourOf = (accountId: number, ts: number) => `${accountId}|${ts - (ts % HOUR)}`;
/** The hours a transaction behind others falls into: the only windows whose stream result may differ from a batch's. */
const disordered = new Set(transactions.filter((t) => t.behind).map((t) => hourOf(t.accountId, t.timestamp)));
/** Every transaction counted, as a batch does: computed here, not by sluice. */
const hourlySums = new Map<string, number>();
for (const t of transactions) hourlySums.set(hourOf(t.accountId, t.timestamp), (hourlySums.get(hourOf(t.accountId, t.timestamp)) ?? 0) + t.amount);

/** Payments with order ids and creation times reversed in blocks of 10, every 25th created a day earlier. */
let payClock = T0;
const paySupplier = new PaymentSupplier(6, T0, () => (payClock += 500));
const inOrder = Array.from({ length: 1500 }, () => paySupplier.get());
const payments = inOrder.flatMap((_, i) => (i % 10 === 0 ? inOrder.slice(i, i + 10).reverse() : []))
  .map((p, i) => (i % 25 === 0 ? { ...p, createTime: formatTimestamp(T0 - 24 * HOUR + i * 1000, 0) } : p));

async function checkpoints(jobId: string): Promise<number> {
  return (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json?.counts?.completed ?? 0;
}

async function newCheckpoints(ids: string[], n = 1): Promise<void> {
  const before = await Promise.all(ids.map(checkpoints));
  await cluster.waitFor('new checkpoints', async () => (await Promise.all(ids.map(checkpoints))).every((c, i) => c >= before[i] + n), 60_000);
}

type Report = ReturnType<typeof parseReconcileJson>;

function reconcile(job: keyof typeof jobs, more: string[] = []): { status: number | null; report: Report; stderr: string } {
  const r = cluster.sluice(['reconcile', jobs[job].bundle, ...jobs[job].sets, '--json', ...more]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`reconcile exited with ${r.status}: ${r.stderr}`);
  const report = parseReconcileJson(r.stdout);
  // SPEC §11: explained counts the differences explained, by reason in explanations.
  for (const t of report.tables) expect(t.explained).toBe(Object.values(t.explanations).reduce((a, b) => a + (b ?? 0), 0));
  return { status: r.status, report, stderr: r.stderr };
}

/** Feeds a topic in 20 chunks a quarter of a second apart, so input arrives while the taskmanager is killed. */
async function feed(topic: string, records: RawRecord[]): Promise<void> {
  const chunk = Math.ceil(records.length / 20);
  for (let i = 0; i < records.length; i += chunk) {
    await produce(topic, records.slice(i, i + chunk));
    await sleep(250);
  }
}

async function esAmounts(ix: string): Promise<Map<string, number>> {
  await es.indices.refresh({ index: ix });
  const res = await es.search({ index: ix, body: { size: 100, query: { match_all: {} } } });
  return new Map((res.body.hits.hits as { _id: string; _source: { pay_amount: number } }[]).map((h) => [h._id, h._source.pay_amount]));
}

beforeAll(async () => {
  cluster = await TestCluster.start({ slots: 3, defines: ['heartbeat.timeout=2000'] });
  await Promise.all(Object.values(topics).map((t) => createTopic(t)));
  const conn = await db();
  await conn.query(`CREATE TABLE \`${table}\` (account_id BIGINT NOT NULL, log_ts TIMESTAMP(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id, log_ts))`);
  await conn.end();
  jobs.clicks.bundle = compileFixture('jobs/click-event-count.ts', ['--event-time', '--input-topic', topics.clicks, '--output-topic', topics.out]);
  jobs.spend.bundle = compileFixture('jobs/spend-report.ts', ['--topic', topics.tx, '--window']);
  jobs.pay.bundle = compileFixture('jobs/payment-msg-processing.ts', ['--topic', topics.pay]);
  jobs.big.bundle = jobs.pay.bundle; // on its own topic by --set
}, 300_000);

afterAll(async () => {
  cluster?.stop();
  const conn = await db();
  await conn.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
  await conn.end();
  for (const ix of [index, bigIndex]) await es.indices.delete({ index: ix }).catch(() => {});
  await closeAdmin();
});

describe('sluice reconcile on the real stack', () => {
  /** The MySQL row changed by hand in the first test, put back in the second. */
  let changed: { account_id: number; log_ts: Date; amount: number } | null = null;
  /** The document deleted by hand in the first test and what reconcile says it should hold. */
  let deleted: { province: string; pay_amount: number } | null = null;
  let provinces = 0;

  it('three pipelines on out-of-order input, two kill -9: OK with the late clicks and transactions explained; hand-made damage reported exactly', async () => {
    const main = [jobs.clicks, jobs.spend, jobs.pay];
    for (const j of main) j.id = jobIdOf(cluster.sluice(['run', '-d', j.bundle, ...j.sets, ...CHECKPOINTS, ...RESTART]));
    const ids = main.map((j) => j.id!);
    for (const jobId of ids) await cluster.waitForState(jobId, 'RUNNING', 30_000);
    const json = (c: { ts: number; page: string }) => JSON.stringify({ timestamp: formatTimestamp(c.ts, 3), page: c.page });
    const feeding = Promise.all([
      feed(topics.clicks, clicks.map((c) => ({ value: json(c) }))),
      feed(topics.tx, transactions.map((t) => transactionRecord(t)).map((r) => ({ key: r.key as Buffer, value: r.value as string }))),
      feed(topics.pay, payments.map((p) => ({ value: paymentRecord(p).value as string }))),
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

    // The spend report: the hours the stream closed before their late transactions came are explained as late
    // records, and only hours a transaction out of order fell into; the others hold exactly the batch sums.
    const spendRun = reconcile('spend');
    expect(spendRun.status, spendRun.stderr + JSON.stringify(spendRun.report)).toBe(0);
    const spendTable = spendRun.report.tables[0];
    expect(spendTable).toMatchObject({ table: 'spend_report', missing: 0, extra: 0, changed: 0 });
    expect(spendTable.explanations['late records']).toBeGreaterThan(0);
    const lateHours = spendTable.examples.filter((d) => d.reason === 'late records').map((d) => hourOf(d.key.account_id as number, d.key.log_ts as number));
    expect(lateHours.length).toBeGreaterThan(0);
    for (const h of lateHours) expect(disordered.has(h), h).toBe(true);
    expect(spendRun.report.notes.join('\n')).toMatch(/[1-9]\d* record\(s\) of the range arrive behind the watermark/);
    const conn = await db();
    const [rows] = await conn.query(`SELECT account_id, log_ts, amount FROM \`${table}\` ORDER BY account_id, log_ts`) as unknown as [{ account_id: number; log_ts: Date; amount: number }[]];
    const inOrderRows = rows.filter((r) => !disordered.has(hourOf(r.account_id, r.log_ts.getTime())));
    expect(inOrderRows.length).toBeGreaterThan(100);
    for (const r of inOrderRows) expect(Number(r.amount), `${r.account_id} ${r.log_ts.toISOString()}`).toBe(hourlySums.get(hourOf(r.account_id, r.log_ts.getTime())));
    expect(spendTable.matched).toBeGreaterThanOrEqual(inOrderRows.length);

    // The payments: shuffled input changes nothing; Elasticsearch holds the sums per province computed here.
    const payRun = reconcile('pay');
    expect(payRun.status, payRun.stderr + JSON.stringify(payRun.report)).toBe(0);
    const paySums = new Map<string, number>();
    for (const p of payments) paySums.set(PROVINCES[p.provinceId], (paySums.get(PROVINCES[p.provinceId]) ?? 0) + p.payAmount);
    provinces = paySums.size;
    expect(payRun.report.tables[0]).toMatchObject({ table: 'es_sink', matched: provinces, missing: 0, extra: 0, changed: 0 });
    const inEs = await esAmounts(index);
    expect([...inEs.keys()].sort()).toEqual([...paySums.keys()].sort());
    for (const [province, sum] of paySums) expect(Math.abs(inEs.get(province)! - sum)).toBeLessThanOrEqual(1e-9 * sum);

    // (b) damage by hand, each reported exactly: a row of an hour with every transaction in order.
    const row = inOrderRows[0];
    await conn.query(`UPDATE \`${table}\` SET amount = amount + 1 WHERE account_id = ? AND log_ts = ?`, [row.account_id, row.log_ts]);
    await conn.end();
    changed = row;
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
    const restReport = parseReconcileJson(rest.text);
    expect(restReport.ok).toBe(false);
    expect(restReport.tables[0]).toMatchObject({ table: 'spend_report', missing: 0, extra: 0, changed: 1 });

    await es.delete({ index, id: 'Beijing', refresh: true });
    const pay = reconcile('pay');
    expect(pay.status, pay.stderr).toBe(1);
    expect(pay.report.tables[0]).toMatchObject({ table: 'es_sink', missing: 1, extra: 0, changed: 0 });
    expect(pay.report.tables[0].examples[0]).toMatchObject({ kind: 'missing', key: { province: 'Beijing' }, expected: { pay_amount: inEs.get('Beijing') }, found: null });
    deleted = { province: 'Beijing', pay_amount: inEs.get('Beijing')! };

    const bogus = { windowStart: '2020-01-01 00:00:00.000', windowEnd: '2020-01-01 00:00:15.000', page: '/bogus', count: 7 };
    await produce(topics.out, [{ value: JSON.stringify(bogus) }]);
    const click = reconcile('clicks');
    expect(click.status, click.stderr).toBe(1);
    expect(click.report.tables[0]).toMatchObject({ missing: 0, extra: 1, changed: 0 });
    expect(click.report.tables[0].examples[0]).toMatchObject({
      kind: 'extra', key: { windowStart: Date.UTC(2020, 0, 1), windowEnd: Date.UTC(2020, 0, 1, 0, 0, 15), page: '/bogus' }, expected: null, found: { count: 7 },
    });
  }, 400_000);

  it('a job stopped with a savepoint and a cancelled one: reconciled against that savepoint and the last checkpoint', async () => {
    if (!changed || !deleted) throw new Error('needs the jobs and the damage of the test before');
    // The spend report, stopped: the range ends at the savepoint, where the job stopped writing.
    const savepoints = tempDir('sluice-rc-savepoints-');
    const stop = cluster.sluice(['stop', '--savepointPath', savepoints, jobs.spend.id!]);
    expect(stop.status, stop.stderr).toBe(0);
    await cluster.waitForState(jobs.spend.id!, 'FINISHED', 30_000);
    const location = /Savepoint completed\. Path: (.+)/.exec(stop.stdout)![1].trim();
    const stopped = reconcile('spend');
    expect(stopped.report.checkpoint.kind).toBe('savepoint');
    expect(stopped.report.checkpoint.path.startsWith(savepoints)).toBe(true);
    expect(location).toContain(stopped.report.checkpoint.path);
    // Still the changed row of the test before, exactly; nothing else (late hours explained, the open one too).
    expect(stopped.status, stopped.stderr).toBe(1);
    expect(stopped.report.tables[0]).toMatchObject({ missing: 0, extra: 0, changed: 1 });
    expect(stopped.report.tables[0].explanations['late records']).toBeGreaterThan(0);
    expect(stopped.report.tables[0].explanations['input after the checkpoint']).toBeUndefined();
    const conn = await db();
    await conn.query(`UPDATE \`${table}\` SET amount = amount - 1 WHERE account_id = ? AND log_ts = ?`, [changed.account_id, changed.log_ts]);
    const repaired = reconcile('spend');
    expect(repaired.status, JSON.stringify(repaired.report)).toBe(0);
    expect(repaired.report.ok).toBe(true);
    // The dashboard's route on the finished job: the same answer.
    const rest = await cluster.rest('GET', `/jobs/${jobs.spend.id}/reconcile`);
    expect(rest.status, rest.text).toBe(200);
    expect(parseReconcileJson(rest.text)).toMatchObject({ ok: true, checkpoint: { kind: 'savepoint', path: stopped.report.checkpoint.path } });
    // A row deleted behind the stopped job's back (of an hour with every transaction in order): missing, with its
    // key and the amount it should have.
    const [rows] = await conn.query(`SELECT account_id, log_ts, amount FROM \`${table}\` ORDER BY account_id, log_ts`) as unknown as [{ account_id: number; log_ts: Date; amount: number }[]];
    const inOrderRows = rows.filter((r) => !disordered.has(hourOf(r.account_id, r.log_ts.getTime())));
    const gone = inOrderRows[Math.floor(inOrderRows.length / 2)];
    await conn.query(`DELETE FROM \`${table}\` WHERE account_id = ? AND log_ts = ?`, [gone.account_id, gone.log_ts]);
    await conn.end();
    const missing = reconcile('spend');
    expect(missing.status, JSON.stringify(missing.report)).toBe(1);
    expect(missing.report.tables[0]).toMatchObject({ missing: 1, extra: 0, changed: 0 });
    const example = missing.report.tables[0].examples[0];
    expect(example).toMatchObject({ kind: 'missing', key: { account_id: gone.account_id, log_ts: gone.log_ts.getTime() }, expected: { amount: Number(gone.amount) }, found: null });

    // The payments job, cancelled: the range ends at its last checkpoint (kept: RETAIN_ON_CANCELLATION).
    expect(cluster.sluice(['cancel', jobs.pay.id!]).status).toBe(0);
    const cancelled = reconcile('pay');
    expect(cancelled.report.checkpoint.kind).toBe('checkpoint');
    expect(cancelled.status, cancelled.stderr).toBe(1);
    expect(cancelled.report.tables[0]).toMatchObject({ matched: provinces - 1, missing: 1, extra: 0, changed: 0 });
    expect(cancelled.report.tables[0].examples[0]).toMatchObject({ kind: 'missing', key: { province: 'Beijing' }, expected: deleted, found: null });
    await es.index({ index, id: 'Beijing', body: deleted, refresh: true });
    const restored = reconcile('pay');
    expect(restored.status, JSON.stringify(restored.report)).toBe(0);
    expect(restored.report.tables[0]).toMatchObject({ matched: provinces, missing: 0, extra: 0, changed: 0 });
  }, 300_000);

  it('a reconcile over a large input writes progress lines while the batch runs (stderr no terminal)', async () => {
    const total = 150_000;
    await runDatagenCommand('payments', { topic: topics.big, count: total, rate: 0, seed: 9, bootstrapServers: BOOTSTRAP });
    jobs.big.id = jobIdOf(cluster.sluice(['run', '-d', jobs.big.bundle, ...jobs.big.sets, ...CHECKPOINTS]));
    // Offsets are committed to the group when a checkpoint completes: then a checkpoint holds the whole input.
    await cluster.waitFor('a checkpoint after the whole input', async () => {
      const [t] = await (await admin()).fetchOffsets({ groupId: bigGroup, topics: [topics.big] });
      return t.partitions.some((p) => Number(p.offset) >= total);
    }, 120_000);
    const r = reconcile('big', ['--job', jobs.big.id, '--progress-interval', '0.1']);
    expect(r.status, r.stderr).toBe(0);
    const lines = [...r.stderr.matchAll(/^batch over the range: ([\d,]+) of 150,000 records \((\d+) %\)$/gm)].map((m) => ({ read: Number(m[1].replaceAll(',', '')), percent: Number(m[2]) }));
    expect(lines.length, r.stderr).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < lines.length; i++) expect(lines[i].read).toBeGreaterThanOrEqual(lines[i - 1].read);
    expect(lines[0].read).toBeLessThan(total);
    expect(lines.at(-1)).toEqual({ read: total, percent: 100 });
    expect(r.report.input[0]).toMatchObject({ records: total });
  }, 300_000);
});
