// The three playground pipelines for real, on the local stack: `sluice datagen` feeds Kafka, the unchanged
// job files run with their real connectors (only names are overridden: topics, table, index), and the
// results in MySQL, Elasticsearch and the output topic are compared with an independent computation from
// the records read back from Kafka. Plus malformed records in each input topic and a MySQL restart mid-run.
import { describe, it, expect, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
import { compileJob } from '../../compiler/index.js';
import { runPlan } from '../../compiler/run-standalone.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';
import { runDatagenCommand } from '../../runtime/cli/datagen-command.js';
import { parseTimestamp } from '../../runtime/core/values.js';
import type { JobRunner } from '../../runtime/exec/job-runner.js';
import { BOOTSTRAP, closeAdmin, createTopic, produce, readTopic, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';
import { eventually } from '../jdbc/changelog.js';
import { stack } from '../jdbc/stack-control.js';

const ES_URL = process.env.ES_URL ?? 'http://127.0.0.1:9200';
const { Client: EsClient } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;
const db = () => mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'sql-demo', password: 'demo-sql', database: 'sql-demo', timezone: 'Z' });

afterAll(closeAdmin);

/** Starts a job with overrides; returns a handle to stop it and its outcome. */
async function start(file: string, args: string[], sets: string[]) {
  const { plan } = await compileJob(file, { args });
  const controller = new AbortController();
  let runner: JobRunner | undefined;
  const done = runPlan(applyOverrides(plan, { sets }), true, controller.signal, (r) => { runner = r; });
  done.catch(() => {});
  return {
    done,
    metrics: () => runner!.metrics,
    stop: async () => { controller.abort(); await done; },
  };
}

const hourOf = (ms: number) => ms - (ms % 3_600_000);

describe('spend report: Kafka → MySQL', () => {
  it('hourly sums in MySQL equal an independent sum of the topic; malformed records skipped and counted', async () => {
    const topic = await createTopic(uniqueTopic('transactions'), 3);
    await runDatagenCommand('transactions', { topic, count: 3000, rate: 0, seed: 11, bootstrapServers: BOOTSTRAP });
    await produce(topic, [{ value: 'not,a,transaction' }, { value: '1,2' }, { value: 'x,y,2020-01-01 00:00:00' }]);
    const records = await readTopic(topic, { count: 3003 });
    const expected = new Map<string, number>();
    let malformed = 0;
    for (const r of records) {
      const [a, amount, t] = (r.value ?? '').split(',');
      const ts = t === undefined ? null : parseTimestamp(t);
      if (!/^\d+$/.test(a) || !/^\d+$/.test(amount ?? '') || ts === null) { malformed++; continue; }
      const key = `${a}|${hourOf(ts)}`;
      expected.set(key, (expected.get(key) ?? 0) + Number(amount));
    }
    expect(malformed).toBe(3);

    const table = `spend_report_${randomUUID().slice(0, 8)}`;
    const conn = await db();
    await conn.query(`CREATE TABLE \`${table}\` (account_id BIGINT NOT NULL, log_ts TIMESTAMP(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id, log_ts))`);
    const job = await start('jobs/spend-report.ts', ['--topic', topic], [
      `spend_report.table-name=${table}`, 'transactions.csv.ignore-parse-errors=true', `transactions.properties.group.id=${uniqueGroup('spend')}`,
    ]);
    const read = async () => {
      const [rows] = await conn.query(`SELECT account_id, UNIX_TIMESTAMP(log_ts) * 1000 AS h, amount FROM \`${table}\``) as unknown as [{ account_id: number; h: string; amount: number }[]];
      return new Map(rows.map((r) => [`${r.account_id}|${Math.round(Number(r.h))}`, Number(r.amount)]));
    };
    try {
      await eventually(async () => JSON.stringify([...(await read())].sort()) === JSON.stringify([...expected].sort()), 60_000, 'spend_report rows');
      expect(job.metrics().total('badRecordsSkipped')).toBe(3);
    } finally {
      await job.stop();
      await conn.end();
    }
  });

  it('without ignore-parse-errors a malformed record fails the job, naming topic, partition and offset', async () => {
    const topic = await createTopic(uniqueTopic('transactions-bad'), 1);
    await produce(topic, [{ value: '1,10,2020-01-01 00:00:00' }, { value: 'garbage' }]);
    const job = await start('jobs/spend-report.ts', ['--topic', topic], ['spend_report.connector=blackhole', `transactions.properties.group.id=${uniqueGroup('bad')}`]);
    await expect(job.done).rejects.toThrow(new RegExp(`topic ${topic} partition 0 offset 1`));
  });

  it('MySQL stopped and restarted during the run: the job retries and nothing is lost', async () => {
    const topic = await createTopic(uniqueTopic('transactions-restart'), 1);
    const table = `spend_report_${randomUUID().slice(0, 8)}`;
    let conn = await db();
    await conn.query(`CREATE TABLE \`${table}\` (account_id BIGINT NOT NULL, log_ts TIMESTAMP(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id, log_ts))`);
    await conn.end();
    const job = await start('jobs/spend-report.ts', ['--topic', topic], [
      `spend_report.table-name=${table}`, 'spend_report.sink.max-retries=10', `transactions.properties.group.id=${uniqueGroup('restart')}`,
    ]);
    const T0 = Date.UTC(2026, 0, 1);
    const line = (i: number) => `${(i % 3) + 1},${i},${new Date(T0 + i * 60_000).toISOString().replace('T', ' ').replace('Z', '')}`;
    const total = async () => {
      const c = await db();
      try { const [rows] = await c.query(`SELECT SUM(amount) AS s, COUNT(*) AS n FROM \`${table}\``) as unknown as [{ s: string | null; n: number }[]]; return rows[0]; } finally { await c.end(); }
    };
    try {
      await produce(topic, Array.from({ length: 300 }, (_, i) => ({ value: line(i) })));
      await eventually(async () => Number((await total()).s) === (299 * 300) / 2, 60_000, 'first half');
      await stack('down', 'mariadb');
      await produce(topic, Array.from({ length: 300 }, (_, i) => ({ value: line(300 + i) })));
      await new Promise((r) => setTimeout(r, 2000));
      await stack('up', 'mariadb');
      await eventually(async () => Number((await total()).s) === (599 * 600) / 2, 90_000, 'all rows after the restart');
      const hours = new Set(Array.from({ length: 600 }, (_, i) => `${(i % 3) + 1}|${hourOf(T0 + i * 60_000)}`));
      expect(Number((await total()).n)).toBe(hours.size);
    } finally {
      await stack('up', 'mariadb');
      await job.stop();
    }
  });
});

describe('payment msg processing: Kafka → Elasticsearch', () => {
  it('pay amount per province in Elasticsearch equals an independent sum; malformed JSON skipped and counted', async () => {
    const provinces = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];
    const topic = await createTopic(uniqueTopic('payment'), 2);
    await runDatagenCommand('payments', { topic, count: 2000, rate: 0, seed: 5, bootstrapServers: BOOTSTRAP });
    await produce(topic, [{ value: '{"orderId": ' }, { value: 'not json' }]);
    const records = await readTopic(topic, { count: 2002 });
    const expected = new Map<string, number>();
    for (const r of records) {
      let m: { payAmount: number; provinceId: number };
      try { m = JSON.parse(r.value ?? ''); } catch { continue; }
      expected.set(provinces[m.provinceId], (expected.get(provinces[m.provinceId]) ?? 0) + m.payAmount);
    }
    const index = `pay_${randomUUID().slice(0, 8)}`;
    const job = await start('jobs/payment-msg-processing.ts', ['--topic', topic], [
      `es_sink.index=${index}`, 'payment_msg.scan.startup.mode=earliest-offset', 'payment_msg.json.ignore-parse-errors=true', `payment_msg.properties.group.id=${uniqueGroup('pay')}`,
    ]);
    const es = new EsClient({ node: ES_URL });
    const read = async () => {
      const exists = await es.indices.exists({ index });
      if (!exists.body) return new Map<string, number>();
      await es.indices.refresh({ index });
      const res = await es.search({ index, body: { size: 100, query: { match_all: {} } } });
      return new Map((res.body.hits.hits as { _id: string; _source: { province: string; pay_amount: number } }[]).map((h) => [h._id, h._source.pay_amount]));
    };
    const close = (a: Map<string, number>) => a.size === expected.size && [...expected].every(([k, v]) => Math.abs((a.get(k) ?? NaN) - v) < 1e-6 * Math.max(1, Math.abs(v)));
    try {
      await eventually(async () => close(await read()), 60_000, 'province sums in Elasticsearch');
      expect(job.metrics().total('badRecordsSkipped')).toBe(2);
    } finally {
      await job.stop();
      await es.close();
    }
  });
});

describe('click event count: Kafka → Kafka', () => {
  it('every page, every closed 15 s window: exactly 1000 clicks; malformed records skipped and counted', async () => {
    const input = await createTopic(uniqueTopic('clicks'), 1);
    const output = await createTopic(uniqueTopic('clicks-out'), 1);
    // 4 windows of 6 pages × 1000 clicks; the last window stays open (no later event moves the watermark past it).
    await runDatagenCommand('clicks', { topic: input, count: 4 * 6000, rate: 0, seed: 1, bootstrapServers: BOOTSTRAP });
    await produce(input, [{ value: '{"timestamp": "yesterday", "page": "/help"}' }, { value: '{' }]);
    const clicks = (await readTopic(input, { count: 24_002 })).flatMap((r) => { try { return [JSON.parse(r.value!)]; } catch { return []; } })
      .filter((c) => parseTimestamp(c.timestamp) !== null);
    const starts = [...new Set(clicks.map((c) => { const t = parseTimestamp(c.timestamp)!; return t - (t % 15_000); }))].sort();
    expect(starts).toHaveLength(4);
    const job = await start('jobs/click-event-count.ts', ['--event-time', '--input-topic', input, '--output-topic', output], [
      'clicks.json.ignore-parse-errors=true', `clicks.properties.group.id=${uniqueGroup('clicks')}`,
    ]);
    try {
      const out = (await readTopic(output, { count: 18, timeoutMs: 60_000 })).map((r) => JSON.parse(r.value!));
      const got = out.map((o) => ({ ws: parseTimestamp(o.windowStart), we: parseTimestamp(o.windowEnd), page: o.page, count: o.count }))
        .sort((a, b) => a.ws! - b.ws! || a.page.localeCompare(b.page));
      const pages = ['/about', '/help', '/index', '/jobs', '/news', '/shop'];
      const expected = starts.slice(0, 3).flatMap((ws) => pages.map((page) => ({ ws, we: ws + 15_000, page, count: 1000 })));
      expect(got).toEqual(expected);
      expect(job.metrics().total('badRecordsSkipped')).toBe(2);
    } finally {
      await job.stop();
    }
  });
});
