// Issue 18.7(a) for the two other playground pipelines, as test/parallel/parallel-kafka.test.ts does it for
// the click count: the unchanged job files read a 6-partition topic on the real broker as 1, 2 and 3 parallel
// subtasks (bounded at the offsets the topic has, so each run ends) and write through their real sinks; the
// spend report's MySQL table and the payments job's Elasticsearch documents equal an independent computation
// over the records written. The payment amounts are multiples of 1/4, so their double sums are exact in any
// order: parallel subtasks pre-aggregate in another order than one task, and the results must be identical.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import { formatTimestamp } from '../../runtime/core/values.js';
import { tempDir } from '../helpers/tables.js';
import { closeAdmin, createTopic, produce, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';

const { Client: EsClient } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;
const db = () => mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'sql-demo', password: 'demo-sql', database: 'sql-demo', timezone: 'Z' });
const T0 = Date.UTC(2026, 0, 1, 0);
const PROVINCES = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];
const sorted = (m: Map<string, number>) => [...m].sort((a, b) => a[0].localeCompare(b[0]));

/** Compiles a job file with its arguments into a bundle (parallel subtasks import it). */
async function bundle(file: string, args: string[]): Promise<{ job: CompiledBundle; file: string }> {
  const out = path.join(tempDir(), `${path.basename(file, '.ts')}.mjs`);
  await compileJob(file, { args, out });
  return { job: ((await import(pathToFileURL(out).href)) as { job: CompiledBundle }).job, file: out };
}

afterAll(() => closeAdmin());

describe('spend report on 6 partitions as parallel subtasks, into MySQL', () => {
  let topic: string;
  const expected = new Map<string, number>();

  beforeAll(async () => {
    topic = await createTopic(uniqueTopic('par-transactions'), 6);
    // 5 accounts over 30 hours; record i on partition i mod 6, each partition in time order.
    const records = Array.from({ length: 6000 }, (_, i) => {
      const account = 1 + ((i * 7) % 5);
      const amount = 1 + ((i * 31) % 997);
      const ts = T0 + i * 18_000;
      const key = `${account}|${ts - (ts % 3_600_000)}`;
      expected.set(key, (expected.get(key) ?? 0) + amount);
      return { value: `${account},${amount},${formatTimestamp(ts)}`, partition: i % 6 };
    });
    await produce(topic, records);
  }, 60_000);

  it.each([1, 2, 3])('-p %i: the table equals the hourly sums per account', async (p) => {
    const table = `spend_report_${randomUUID().slice(0, 8)}`;
    const conn = await db();
    try {
      await conn.query(`CREATE TABLE \`${table}\` (account_id BIGINT NOT NULL, log_ts TIMESTAMP(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id, log_ts))`);
      const { job, file } = await bundle('jobs/spend-report.ts', ['--topic', topic]);
      await runCompiled(job, { parallelism: p, bundle: file, sets: [
        `spend_report.table-name=${table}`, 'transactions.scan.bounded.mode=latest-offset', `transactions.properties.group.id=${uniqueGroup('par-spend')}`,
      ] });
      const [rows] = await conn.query(`SELECT account_id, UNIX_TIMESTAMP(log_ts) * 1000 AS h, amount FROM \`${table}\``) as unknown as [{ account_id: number; h: string; amount: number }[]];
      const got = new Map(rows.map((r) => [`${r.account_id}|${Math.round(Number(r.h))}`, Number(r.amount)]));
      expect(sorted(got)).toEqual(sorted(expected));
    } finally {
      await conn.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
      await conn.end();
    }
  }, 180_000);
});

describe('payments on 6 partitions as parallel subtasks, into Elasticsearch', () => {
  let topic: string;
  const expected = new Map<string, number>();

  beforeAll(async () => {
    topic = await createTopic(uniqueTopic('par-payments'), 6);
    const records = Array.from({ length: 6000 }, (_, i) => {
      const provinceId = (i * 3) % 7;
      const payAmount = ((i * 7919) % 400_000) / 4;
      expected.set(PROVINCES[provinceId], (expected.get(PROVINCES[provinceId]) ?? 0) + payAmount);
      const createTime = formatTimestamp(T0 + i * 1000).slice(0, 19);
      return { value: JSON.stringify({ createTime, orderId: i, payAmount, payPlatform: i % 2, provinceId }), partition: i % 6 };
    });
    await produce(topic, records);
  }, 60_000);

  it.each([1, 2, 3])('-p %i: the documents equal the pay amount per province', async (p) => {
    const index = `par_pay_${randomUUID().slice(0, 8)}`;
    const es = new EsClient({ node: process.env.ES_URL ?? 'http://127.0.0.1:9200' });
    try {
      const { job, file } = await bundle('jobs/payment-msg-processing.ts', ['--topic', topic]);
      await runCompiled(job, { parallelism: p, bundle: file, sets: [
        `es_sink.index=${index}`, 'payment_msg.scan.startup.mode=earliest-offset', 'payment_msg.scan.bounded.mode=latest-offset',
        `payment_msg.properties.group.id=${uniqueGroup('par-pay')}`,
      ] });
      await es.indices.refresh({ index });
      const res = await es.search({ index, body: { size: 100, query: { match_all: {} } } });
      const hits = res.body.hits.hits as { _id: string; _source: { province: string; pay_amount: number } }[];
      expect(hits.every((h) => h._id === h._source.province)).toBe(true);
      expect(sorted(new Map(hits.map((h) => [h._id, h._source.pay_amount])))).toEqual(sorted(expected));
    } finally {
      await es.indices.delete({ index }).catch(() => {});
      await es.close();
    }
  }, 180_000);
});
