// The elasticsearch-7 sink against the real Elasticsearch 7.10 of the local stack (bash stack/up.sh): upserts
// and deletes by a composite key joined with the delimiter, document ids spelled as Flink spells them, append
// mode, bulk flushes by max-actions, max-size and interval, a per-item error (mapping conflict) surfacing with
// index, id and reason, the payment job end to end, and the node stopped and restarted mid-run. Results are
// read back with a separate client and checked against the changelog materialized independently.
// These tests FAIL when ES is down. They share one file so that none of them runs while the restart test has
// stopped the server; that test stops the shared Elasticsearch for ~20 s, and other suites using it then fail.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
import { compileJob } from '../../compiler/index.js';
import { runPlan } from '../../compiler/run-standalone.js';
import { elasticsearch7 } from '../../runtime/connectors/elasticsearch/connector.js';
import { findConnector } from '../../runtime/connectors/registry.js';
import type { SinkContext, SinkWriter } from '../../runtime/core/connector.js';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import { ExternalError, UserError } from '../../runtime/core/errors.js';
import { validateOptions } from '../../runtime/core/options.js';
import { RowKind, type Batch, type Row } from '../../runtime/core/row.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';
import { sinkContext } from '../connectors/context.js';
import { tempDir } from '../helpers/tables.js';
import { eventually, materialize, randomChangelog, toBatches, type Change } from '../jdbc/changelog.js';
import { STACK_HINT, capturingLogger, stack } from '../jdbc/stack-control.js';

const { Client } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;
const ES_URL = process.env.ES_URL ?? 'http://127.0.0.1:9200';
const es = new Client({ node: ES_URL, requestTimeout: 30_000, maxRetries: 0 });
const run = randomUUID().slice(0, 8);
const indexName = (what: string) => `sluice-test-${what}-${run}`;

beforeAll(async () => {
  await es.info().catch((e: Error) => { throw new Error(`Elasticsearch at ${ES_URL} unreachable: ${e.message}${STACK_HINT}`); });
});

afterAll(async () => {
  await es.indices.delete({ index: `sluice-test-*-${run}` }).catch(() => {});
  await es.close();
});

const paySchema: Field[] = [
  { name: 'province', type: DataTypes.STRING() },
  { name: 'log_ts', type: DataTypes.TIMESTAMP(3) },
  { name: 'pay_amount', type: DataTypes.DOUBLE() },
];

async function openSink(opts: {
  index: string; schema?: Field[]; key?: string[]; options?: Record<string, string>; log?: SinkContext['log'];
}): Promise<{ sink: SinkWriter; ctx: SinkContext }> {
  const schema = opts.schema ?? paySchema;
  const key = opts.key ?? ['province', 'log_ts'];
  const base = sinkContext(schema, {
    connector: 'elasticsearch-7', hosts: ES_URL, index: opts.index, 'document-id.key-delimiter': '$', format: 'json', ...opts.options,
  });
  const ctx: SinkContext = { ...base, table: 'es_sink', primaryKey: key, changelog: key.length ? 'upsert' : 'insert-only', ...(opts.log ? { log: opts.log } : {}) };
  const sink = (await elasticsearch7.load()).createSink!(ctx);
  await sink.open(null);
  return { sink, ctx };
}

async function writeBatches(sink: SinkWriter, batches: Batch[]): Promise<void> {
  for (const b of batches) await sink.write(b);
}

/** Every document of the index, by id (after a refresh, so that searches see all acknowledged writes). */
async function documents(index: string): Promise<Map<string, unknown>> {
  await es.indices.refresh({ index });
  const { body } = await es.search({ index, size: 10_000, body: { query: { match_all: {} } } });
  return new Map((body.hits.hits as { _id: string; _source: unknown }[]).map((h) => [h._id, h._source]));
}

async function count(index: string): Promise<number> {
  await es.indices.refresh({ index }).catch(() => {});
  const { body } = await es.count({ index }).catch(() => ({ body: { count: 0 } }));
  return body.count as number;
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 1, 29, 23, 0, 0);
/** Java's LocalDateTime.toString for millisecond values, written independently of the sink's formatter. */
function javaLocalDateTime(ms: number): string {
  let s = new Date(ms).toISOString().slice(0, -1);
  if (s.endsWith('.000')) {
    s = s.slice(0, -4);
    if (s.endsWith(':00')) s = s.slice(0, -3);
  }
  return s;
}
const sqlTs = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const docId = (r: Row) => `${r.province}$${javaLocalDateTime(r.log_ts as number)}`;
const asDocument = (r: Row) => ({ province: r.province, log_ts: sqlTs(r.log_ts as number), pay_amount: r.pay_amount });

function payChangelog(steps: number, seed: number): Change[] {
  const provinces = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang/西藏 ?#&', 'with "quotes" \\ and space'];
  // A whole hour, one with seconds and one with milliseconds: the three spellings of LocalDateTime.toString.
  const times = [T0, T0 + HOUR + 5000, T0 + 2 * HOUR + 123];
  const keys = provinces.flatMap((p) => times.map((t) => ({ province: p, log_ts: t })));
  return randomChangelog(steps, keys, (random) => ({ pay_amount: Math.round(random() * 1e6) / 100 }), seed);
}

const sortedEntries = (m: Map<string, unknown>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('elasticsearch-7 connector options', () => {
  it('accepts the playground DDL and names bad values', () => {
    expect(findConnector('elasticsearch-7')).toBe(elasticsearch7);
    expect(validateOptions(elasticsearch7.options, {
      connector: 'elasticsearch-7', hosts: 'http://elasticsearch:9200', index: 'platform_pay_amount_1',
      'document-id.key-delimiter': '$', 'sink.bulk-flush.max-size': '42mb', 'sink.bulk-flush.max-actions': '32',
      'sink.bulk-flush.interval': '1000', 'sink.bulk-flush.backoff.delay': '1000', format: 'json',
    })).toEqual([]);
    expect(validateOptions(elasticsearch7.options, { hosts: 'http://a:9200;https://b:9200', index: 'i' })).toEqual([]);
    expect(validateOptions(elasticsearch7.options, { hosts: 'elasticsearch:9200', index: 'i' })[0].message).toContain('must start with http:// or https://');
    expect(validateOptions(elasticsearch7.options, { hosts: ES_URL, index: 'Upper' })[0].message).toContain('lowercase');
    const strategy = validateOptions(elasticsearch7.options, { hosts: ES_URL, index: 'i', 'sink.bulk-flush.backoff.strategy': 'LINEAR' })[0];
    expect(strategy.option).toBe('sink.bulk-flush.backoff.strategy');
    expect(strategy.hint).toBe('allowed values: DISABLED, CONSTANT, EXPONENTIAL');
    expect(validateOptions(elasticsearch7.options, { hosts: ES_URL, index: 'i', format: 'csv' })[0].hint).toBe('allowed values: json');
    expect(validateOptions(elasticsearch7.options, { hosts: ES_URL, index: 'i', 'sink.bulk-flush.max-size': 'lots' })[0].option).toBe('sink.bulk-flush.max-size');
  });

  it('checks the key and the credentials', () => {
    const check = (primaryKey: string[], options: Record<string, string>) =>
      elasticsearch7.validate!({ table: 'es_sink', declared: paySchema, primaryKey, options: { hosts: ES_URL, index: 'i', ...options } }, 'sink').map((p) => p.message);
    expect(check(['province'], {})).toEqual([]);
    expect(check(['provinceId'], {})).toEqual([`primary key column 'provinceId' is not a column of the table`]);
    expect(check([], { username: 'elastic' })).toEqual([`'username' and 'password' must be set together`]);
  });
});

describe('elasticsearch-7 sink on Elasticsearch 7.10', () => {
  it('indexes and deletes documents by a composite key joined with the delimiter, ids spelled as Flink does', async () => {
    const index = indexName('upsert');
    const changes = payChangelog(2000, 31);
    const { sink, ctx } = await openSink({ index, options: { 'sink.bulk-flush.max-actions': '17', 'sink.bulk-flush.interval': '0' } });
    await writeBatches(sink, toBatches(changes, 30, 32));
    await sink.flush();
    await sink.close();
    const expected = new Map([...materialize(changes, docId)].map(([id, row]) => [id, asDocument(row)]));
    expect(changes.some((c) => c.kind === RowKind.DELETE)).toBe(true);
    expect([T0, T0 + HOUR + 5000, T0 + 2 * HOUR + 123].map((t) => docId({ province: 'Beijing', log_ts: t })))
      .toEqual(['Beijing$2024-02-29T23:00', 'Beijing$2024-03-01T00:00:05', 'Beijing$2024-03-01T01:00:00.123']);
    expect(sortedEntries(await documents(index))).toEqual(sortedEntries(expected));
    expect(ctx.metrics.recordsOut).toBeLessThanOrEqual(changes.filter((c) => c.kind !== RowKind.UPDATE_BEFORE).length);
  });

  it('appends documents with generated ids without a primary key, and refuses changes it cannot append', async () => {
    const index = indexName('append');
    const { sink } = await openSink({ index, key: [] });
    const rows: Row[] = Array.from({ length: 7 }, (_, i) => ({ province: `p${i % 3}`, log_ts: T0 + i, pay_amount: i }));
    await sink.write({ rows, kinds: null });
    await sink.write({ rows: rows.slice(0, 2), kinds: null });
    expect(() => sink.write({ rows: [rows[0]], kinds: [RowKind.UPDATE_AFTER] })).toThrow(UserError);
    await sink.flush();
    await sink.close();
    const docs = [...(await documents(index)).values()];
    const key = (d: unknown) => JSON.stringify(d);
    expect(docs.map(key).sort()).toEqual([...rows, ...rows.slice(0, 2)].map(asDocument).map(key).sort());
  });

  it('writes a whole DOUBLE with its fraction, so a new index maps the field as a floating-point number', async () => {
    // JSON.stringify would write 100: Elasticsearch then maps pay_amount as long and truncates 12.25 to 12.
    const index = indexName('double');
    const { sink } = await openSink({ index });
    await sink.write({ rows: [{ province: 'p0', log_ts: T0, pay_amount: 100 }], kinds: null });
    await sink.flush();
    await sink.write({ rows: [{ province: 'p1', log_ts: T0, pay_amount: 12.25 }], kinds: null });
    await sink.flush();
    await sink.close();
    const { body } = await es.indices.getMapping({ index });
    expect(body[index].mappings.properties.pay_amount.type).toBe('float');
    await es.indices.refresh({ index });
    const hit = await es.search({ index, body: { query: { range: { pay_amount: { gt: 12.2, lt: 12.3 } } } } });
    expect(hit.body.hits.hits.map((h: { _source: unknown }) => h._source)).toEqual([asDocument({ province: 'p1', log_ts: T0, pay_amount: 12.25 })]);
  });

  it('sends a bulk request at max-actions actions, without flush()', async () => {
    const index = indexName('actions');
    const { sink } = await openSink({ index, options: { 'sink.bulk-flush.max-actions': '5', 'sink.bulk-flush.interval': '0' } });
    const row = (i: number): Row => ({ province: `p${i}`, log_ts: T0, pay_amount: i });
    await sink.write({ rows: [0, 1, 2, 3].map(row), kinds: null });
    await new Promise((r) => setTimeout(r, 500));
    expect(await count(index)).toBe(0);
    await sink.write({ rows: [row(4)], kinds: null });
    await eventually(async () => (await count(index)) === 5, 10_000, '5 documents after the 5th action');
    await sink.write({ rows: [row(5)], kinds: null });
    await new Promise((r) => setTimeout(r, 500));
    expect(await count(index)).toBe(5);
    await sink.flush();
    expect(await count(index)).toBe(6);
    await sink.close();
  });

  it('sends a bulk request at max-size bytes, without flush()', async () => {
    const index = indexName('size');
    // Appended (no id), each action is ~400 bytes: two fit in 1 kb, the third one makes the buffer full.
    const { sink } = await openSink({ index, key: [], options: { 'sink.bulk-flush.max-size': '1kb', 'sink.bulk-flush.max-actions': '0', 'sink.bulk-flush.interval': '0' } });
    const row = (i: number): Row => ({ province: `p${i}-${'x'.repeat(300)}`, log_ts: T0, pay_amount: i });
    await sink.write({ rows: [row(0), row(1)], kinds: null });
    await new Promise((r) => setTimeout(r, 500));
    expect(await count(index)).toBe(0);
    await sink.write({ rows: [row(2)], kinds: null });
    await eventually(async () => (await count(index)) === 2, 10_000, 'the first 1 kb of actions');
    await sink.flush();
    expect(await count(index)).toBe(3);
    await sink.close();
  });

  it('sends a bulk request every sink.bulk-flush.interval, without flush()', async () => {
    const index = indexName('interval');
    const { sink } = await openSink({ index, options: { 'sink.bulk-flush.interval': '300ms' } });
    await sink.write({ rows: [1, 2, 3].map((i) => ({ province: `p${i}`, log_ts: T0, pay_amount: i })), kinds: null });
    expect(await count(index)).toBe(0);
    const took = await eventually(async () => (await count(index)) === 3, 10_000, 'documents after the flush interval');
    expect(took).toBeLessThan(5000);
    await sink.close();
  });

  it('fails on a rejected document (mapping conflict) with index, id and reason', async () => {
    const index = indexName('conflict');
    await es.indices.create({ index, body: { mappings: { properties: { id: { type: 'long' }, n: { type: 'long' } } } } });
    const schema: Field[] = [{ name: 'id', type: DataTypes.BIGINT() }, { name: 'n', type: DataTypes.STRING() }];
    const { sink } = await openSink({ index, schema, key: ['id'] });
    await sink.write({ rows: [{ id: 1, n: '12' }, { id: 2, n: 'twelve' }, { id: 3, n: '7' }], kinds: null });
    const error = await sink.flush().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    const message = (error as Error).message;
    expect(message).toContain(`table 'es_sink': index '${index}' refused document id '2': 400 mapper_parsing_exception`);
    expect(message).toContain('failed to parse field [n] of type [long]');
    // The failure sticks until the job fails over; the other documents of the request were indexed.
    expect(() => sink.write({ rows: [{ id: 4, n: '1' }], kinds: null })).toThrow(ExternalError);
    await sink.close();
    expect([...(await documents(index)).keys()].sort()).toEqual(['1', '3']);
  });
});

describe('payment msg processing job into Elasticsearch', () => {
  // jobs/payment-msg-processing.ts unchanged, its Kafka source swapped for a JSON file (--set).
  it('indexes one document per province, id = the province, with the summed pay amount', async () => {
    const index = indexName('payments');
    const provinces = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];
    const msgs = Array.from({ length: 3000 }, (_, i) => ({
      createTime: '2026-01-01 08:00:00', orderId: 1_000_000 + i, payAmount: ((i * 7919) % 100_000) / 100, payPlatform: i % 2, provinceId: (i * 3) % 7,
    }));
    const file = path.join(tempDir(), 'payments.json');
    fs.writeFileSync(file, msgs.map((m) => JSON.stringify(m)).join('\n') + '\n');
    const { plan } = await compileJob('jobs/payment-msg-processing.ts', { args: [] });
    await runPlan(applyOverrides(plan, { sets: [
      'payment_msg.connector=filesystem', `payment_msg.path=${file}`, 'payment_msg.format=json', `es_sink.index=${index}`, `es_sink.hosts=${ES_URL}`,
    ] }), true);
    const sums = new Map<string, number>();
    for (const m of msgs) sums.set(provinces[m.provinceId], (sums.get(provinces[m.provinceId]) ?? 0) + m.payAmount);
    const docs = await documents(index);
    expect([...docs.keys()].sort()).toEqual([...sums.keys()].sort());
    for (const [id, doc] of docs) {
      expect((doc as { province: string }).province).toBe(id);
      expect((doc as { pay_amount: number }).pay_amount).toBeCloseTo(sums.get(id)!, 6);
    }
  });
});

describe('elasticsearch-7 sink while Elasticsearch stops (stops the shared server)', () => {
  it('loses nothing when the node restarts within the backoff budget, and fails clearly beyond it', async () => {
    const index = indexName('restart');
    const changes = payChangelog(1500, 41);
    const batches = toBatches(changes, 20, 42);
    const thirds = [batches.slice(0, 25), batches.slice(25, 60), batches.slice(60)];
    const { log, lines } = capturingLogger();
    // Waits 0.5, 1, 2, 4, 8, 16, then 30 s at most: minutes, against a restart of ~20 s.
    const { sink } = await openSink({ index, log, options: {
      'sink.bulk-flush.max-actions': '20', 'sink.bulk-flush.interval': '200ms',
      'sink.bulk-flush.backoff.strategy': 'EXPONENTIAL', 'sink.bulk-flush.backoff.delay': '500ms', 'sink.bulk-flush.backoff.max-retries': '12',
    } });
    const short = await openSink({ index: indexName('short'), options: {
      'sink.bulk-flush.backoff.strategy': 'CONSTANT', 'sink.bulk-flush.backoff.delay': '200ms', 'sink.bulk-flush.backoff.max-retries': '2',
    } });
    const disabled = await openSink({ index: indexName('disabled'), options: { 'sink.bulk-flush.backoff.strategy': 'DISABLED' } });
    const one: Batch = { rows: [{ province: 'p', log_ts: T0, pay_amount: 1 }], kinds: null };
    let shortError: unknown = null;
    let disabledError: unknown = null;
    try {
      await writeBatches(sink, thirds[0]);
      await sink.flush();
      await stack('down', 'elasticsearch');
      const pending: Promise<void>[] = [];
      for (const b of thirds[1]) {
        const p = sink.write(b);
        if (p) pending.push(p);
      }
      const flushed = sink.flush();
      // Beyond the budget: 3 attempts 200 ms apart, or a single one without backoff.
      await short.sink.write(one);
      shortError = await short.sink.flush().then(() => null, (e: unknown) => e);
      await disabled.sink.write(one);
      disabledError = await disabled.sink.flush().then(() => null, (e: unknown) => e);
      await stack('up', 'elasticsearch');
      await Promise.all([flushed, ...pending]);
      await writeBatches(sink, thirds[2]);
      await sink.flush();
    } finally {
      await stack('up', 'elasticsearch');
      await Promise.all([sink.close(), short.sink.close(), disabled.sink.close()]);
    }
    expect(lines.some((l) => l.msg.includes('retrying'))).toBe(true);
    const expected = new Map([...materialize(changes, docId)].map(([id, row]) => [id, asDocument(row)]));
    expect(sortedEntries(await documents(index))).toEqual(sortedEntries(expected));

    expect(shortError).toBeInstanceOf(ExternalError);
    expect((shortError as Error).message).toMatch(
      new RegExp(`^elasticsearch: bulk request of 1 actions to index '${indexName('short')}' of table 'es_sink' failed after 3 attempts \\(CONSTANT backoff, max-retries 2\\): ConnectionError`));
    expect(disabledError).toBeInstanceOf(ExternalError);
    expect((disabledError as Error).message).toContain('failed after 1 attempt (backoff DISABLED): ConnectionError');
  }, 300_000);
});
