// The spend report's and the payments job's input for the parallel tests, on 6 partitions (record i on partition
// i mod 6, so each partition is in time order), with their results computed here, independently of the jobs, and
// the jobs' results read back from MySQL and Elasticsearch in the same shape. The payment amounts are multiples
// of 1/4, so their double sums are exact in any order: parallel subtasks pre-aggregate in another order than one
// task, and restores replay in another order again, yet the sums must be identical.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
import { formatTimestamp } from '../../runtime/core/values.js';
import type { RawRecord } from '../kafka/helpers.js';

const { Client: EsClient } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;
const T0 = Date.UTC(2026, 0, 1, 0);
const PROVINCES = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];

/** Results as sorted [key, value] pairs, comparable with toEqual. */
export const sorted = (m: Map<string, number>) => [...m].sort((a, b) => a[0].localeCompare(b[0]));

/** Transactions of 5 accounts, one every 18 s; expected: the amount per `account|hour start`. */
export function spendInput(count: number, partitions = 6): { records: RawRecord[]; expected: Map<string, number> } {
  const expected = new Map<string, number>();
  const records = Array.from({ length: count }, (_, i) => {
    const account = 1 + ((i * 7) % 5);
    const amount = 1 + ((i * 31) % 997);
    const ts = T0 + i * 18_000;
    const key = `${account}|${ts - (ts % 3_600_000)}`;
    expected.set(key, (expected.get(key) ?? 0) + amount);
    return { value: `${account},${amount},${formatTimestamp(ts)}`, partition: i % partitions };
  });
  return { records, expected };
}

/** Payment messages over 7 provinces, one a second; expected: the pay amount per province name. */
export function paymentInput(count: number, partitions = 6): { records: RawRecord[]; expected: Map<string, number> } {
  const expected = new Map<string, number>();
  const records = Array.from({ length: count }, (_, i) => {
    const provinceId = (i * 3) % 7;
    const payAmount = ((i * 7919) % 400_000) / 4;
    expected.set(PROVINCES[provinceId], (expected.get(PROVINCES[provinceId]) ?? 0) + payAmount);
    const createTime = formatTimestamp(T0 + i * 1000).slice(0, 19);
    return { value: JSON.stringify({ createTime, orderId: i, payAmount, payPlatform: i % 2, provinceId }), partition: i % partitions };
  });
  return { records, expected };
}

/** A spend report table of its own in the stack's MariaDB, the job's result read back, and its removal. */
export async function spendTable(): Promise<{ name: string; read(): Promise<Map<string, number>>; drop(): Promise<void> }> {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'sql-demo', password: 'demo-sql', database: 'sql-demo', timezone: 'Z' });
  const name = `spend_report_${randomUUID().slice(0, 8)}`;
  await conn.query(`CREATE TABLE \`${name}\` (account_id BIGINT NOT NULL, log_ts TIMESTAMP(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id, log_ts))`);
  return {
    name,
    async read() {
      const [rows] = await conn.query(`SELECT account_id, UNIX_TIMESTAMP(log_ts) * 1000 AS h, amount FROM \`${name}\``) as unknown as [{ account_id: number; h: string; amount: number }[]];
      return new Map(rows.map((r) => [`${r.account_id}|${Math.round(Number(r.h))}`, Number(r.amount)]));
    },
    async drop() {
      await conn.query(`DROP TABLE IF EXISTS \`${name}\``).catch(() => {});
      await conn.end();
    },
  };
}

/**
 * An index name of its own in the stack's Elasticsearch (the job creates it), the job's result read back (empty
 * before the index exists; every document's id is its province), and its removal.
 */
export function paymentIndex(prefix: string): { name: string; read(): Promise<Map<string, number>>; drop(): Promise<void> } {
  const es = new EsClient({ node: process.env.ES_URL ?? 'http://127.0.0.1:9200' });
  const name = `${prefix}_${randomUUID().slice(0, 8)}`;
  return {
    name,
    async read() {
      if (!(await es.indices.exists({ index: name })).body) return new Map();
      await es.indices.refresh({ index: name });
      const res = await es.search({ index: name, body: { size: 100, query: { match_all: {} } } });
      const hits = res.body.hits.hits as { _id: string; _source: { province: string; pay_amount: number } }[];
      if (!hits.every((h) => h._id === h._source.province)) throw new Error(`documents whose id is not their province: ${JSON.stringify(hits)}`);
      return new Map(hits.map((h) => [h._id, h._source.pay_amount]));
    },
    async drop() {
      await es.indices.delete({ index: name }).catch(() => {});
      await es.close();
    },
  };
}
