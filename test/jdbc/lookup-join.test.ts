// Lookup joins against the real MariaDB of the local stack (FOR SYSTEM_TIME AS OF a proctime on a jdbc
// table): rows out in input order with the table's rows as they are when the input row arrives, LEFT joins
// padding, conditions beyond the key, NULL keys, a composite key compared by MariaDB's collation as Flink's
// one-statement-per-key lookup would; Flink's PARTIAL cache (in the operator: a cached key keeps its rows after
// the table changes, a batch's missing keys go in one lookup, output and watermarks in order; max-rows and
// expire-after-write/-access bound it; missing keys cached or not); lookup.max-retries (a table
// created during the retries is read; without retries the job fails naming the table); plans and errors.
// Expected rows are computed here from the inputs and the table contents (a nested loop). These tests FAIL when
// MariaDB is down.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { optimize } from '../../compiler/passes/index.js';
import { OperatorMetrics } from '../../runtime/core/metrics.js';
import type { LookupJoinNode } from '../../runtime/core/plan.js';
import type { Row } from '../../runtime/core/row.js';
import { LookupCache, LookupJoinProcessor } from '../../runtime/exec/lookup-join-processor.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { collectBothWays, tempDir } from '../helpers/tables.js';
import { compileError } from '../sql/helpers.js';
import { MYSQL, MYSQL_URL, STACK_HINT } from './stack-control.js';

const URL = MYSQL_URL;
const q = (id: string) => '`' + id.replace(/`/g, '``') + '`';
let admin: mysql.Pool;
const created: string[] = [];

beforeAll(async () => {
  admin = mysql.createPool({ ...MYSQL, connectTimeout: 3000, connectionLimit: 2 });
  await admin.query('SELECT 1').catch((e) => {
    throw new Error(`MariaDB at ${MYSQL.host}:${MYSQL.port} unreachable: ${e.message}${STACK_HINT}`);
  });
});

afterAll(async () => {
  for (const t of created) await admin.query(`DROP TABLE IF EXISTS ${q(t)}`).catch(() => {});
  await admin?.end().catch(() => {});
});

interface Dim { k: string; region: number; name: string; lim: number }
const DIM: Dim[] = Array.from({ length: 40 }, (_, i) => ({ k: `k${i % 20}`, region: i < 20 ? 1 : 2, name: `name ${i}`, lim: i * 5 }));
const ORDERS = Array.from({ length: 2000 }, (_, i) => ({ id: i, k: i % 37 === 0 ? null : `k${(i * 7) % 25}`, region: 1 + (i % 2), amount: (i * 13) % 200 }));

/** A dimension table in MariaDB (own name, dropped after the file), filled with `rows`. */
async function dimTable(rows: Dim[], create = true): Promise<string> {
  const name = `lookup dim ${randomUUID().slice(0, 8)}`;
  created.push(name);
  if (create) await fillDim(name, rows);
  return name;
}

async function fillDim(name: string, rows: Dim[]): Promise<void> {
  await admin.query(`CREATE TABLE ${q(name)} (k VARCHAR(20) NOT NULL, region INT NOT NULL, name VARCHAR(40), lim INT, PRIMARY KEY (k, region))`);
  if (rows.length) await admin.query(`INSERT INTO ${q(name)} (k, region, name, lim) VALUES ?`, [rows.map((d) => [d.k, d.region, d.name, d.lim])]);
}

function environment(table: string, options = ''): TableEnvironment {
  const tEnv = TableEnvironment.create();
  const file = path.join(tempDir(), 'orders.json');
  fs.writeFileSync(file, ORDERS.map((o) => JSON.stringify(o)).join('\n') + '\n');
  tEnv.executeSql(`CREATE TABLE orders (id INT, k STRING, region INT, amount INT, proc_time AS PROCTIME())
    WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'json')`);
  tEnv.executeSql(`CREATE TABLE dim (k STRING, region INT, name STRING, lim INT) WITH ('connector' = 'jdbc', 'url' = '${URL}',
    'table-name' = '${table}', 'username' = '${MYSQL.user}', 'password' = '${MYSQL.password}'${options})`);
  return tEnv;
}

/** The join computed with nested loops over the inputs and the table (SQL's `=`: NULL never matches). */
function nestedLoop(dim: Dim[], on: (o: (typeof ORDERS)[number], d: Dim) => boolean, left: boolean) {
  return ORDERS.flatMap((o): Record<string, unknown>[] => {
    const ms = dim.filter((d) => o.k !== null && d.k === o.k && on(o, d));
    return ms.length ? ms.map((d) => ({ id: o.id, name: d.name })) : left ? [{ id: o.id, name: null }] : [];
  });
}

const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => (a.id as number) - (b.id as number) || String(a.name).localeCompare(String(b.name)));

describe('lookup joins against MariaDB', { timeout: 120_000 }, () => {
  it('inner and left joins on a composite key, with a condition beyond it: the nested-loop join, in input order', async () => {
    const table = await dimTable(DIM);
    const inner = await collectBothWays(() => environment(table).sqlQuery(
      'SELECT o.id, d.name FROM orders o JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.k = d.k AND o.region = d.region AND o.amount < d.lim'));
    expect(byId(inner)).toEqual(byId(nestedLoop(DIM, (o, d) => o.region === d.region && o.amount < d.lim, false)));
    const rows = await environment(table).sqlQuery(
      'SELECT o.id, d.name FROM orders o LEFT JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.k = d.k AND d.region = 2').execute().collect() as Record<string, unknown>[];
    // ORDERED: one row per order here (region 2 has one row per key), in the orders' order.
    expect(rows.map((r) => r.id)).toEqual(ORDERS.map((o) => o.id));
    expect(rows).toEqual(nestedLoop(DIM, (_, d) => d.region === 2, true));
  });

  it('keys compared by MariaDB, as a statement per key would (case-insensitive collation)', async () => {
    const table = await dimTable([{ k: 'K1', region: 1, name: 'upper', lim: 0 }]);
    const rows = await environment(table).sqlQuery(
      "SELECT o.id, d.name FROM (SELECT * FROM orders WHERE k = 'k1') o JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.k = d.k").execute().collect() as Record<string, unknown>[];
    expect(rows.length).toBe(ORDERS.filter((o) => o.k === 'k1').length);
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(['upper']));
  });

  it('PARTIAL cache end to end: a job joins through it; the next job starts with an empty cache (not state) and reads the changed table', async () => {
    const table = await dimTable(DIM);
    const query = (tEnv: TableEnvironment) => tEnv.sqlQuery(
      "SELECT o.id, d.name FROM (SELECT * FROM orders WHERE k = 'k3' AND region = 1) o JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.k = d.k AND o.region = d.region");
    // The job reads the file in one batch, so one lookup: change the table between two runs of one environment's jobs instead.
    const cached = environment(table, ", 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100'");
    const first = await query(cached).execute().collect() as Record<string, unknown>[];
    expect(new Set(first.map((r) => r.name))).toEqual(new Set(['name 3']));
    await admin.query(`UPDATE ${q(table)} SET name = 'renamed' WHERE k = 'k3' AND region = 1`);
    // A new job starts with an empty cache (the cache is not state): it sees the new name.
    const second = await query(cached).execute().collect() as Record<string, unknown>[];
    expect(new Set(second.map((r) => r.name))).toEqual(new Set(['renamed']));
  });

  it('the cache: max-rows evicts the least recently used key, expire-after-write and -access age entries, missing keys optional', () => {
    let now = 0;
    const cache = new LookupCache({ maxRows: 2, expireAfterWriteMs: 1000, expireAfterAccessMs: Infinity, cacheMissingKey: false }, () => now);
    cache.put('a', [{ x: 1 }]);
    cache.put('b', [{ x: 2 }]);
    expect(cache.get('a')).toEqual([{ x: 1 }]);
    cache.put('c', [{ x: 3 }]); // b is the least recently used
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toEqual([{ x: 3 }]);
    cache.put('missing', []);
    expect(cache.get('missing')).toBeUndefined();
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
    const access = new LookupCache({ maxRows: Infinity, expireAfterWriteMs: Infinity, expireAfterAccessMs: 100, cacheMissingKey: true }, () => now);
    access.put('m', []);
    now += 99;
    expect(access.get('m')).toEqual([]);
    now += 99;
    expect(access.get('m')).toEqual([]);
    now += 100;
    expect(access.get('m')).toBeUndefined();
  });

  it('the operator: one lookup per batch for the keys the cache lacks; cached keys keep their rows; output in order, watermarks behind it', async () => {
    const S = DataTypes.STRING();
    const node: LookupJoinNode = {
      kind: 'lookupJoin', id: 'l', input: 'i', joinType: 'left', table: 'dim', connector: 'jdbc', options: {}, inputFields: ['id', 'k'],
      lookupFields: [{ name: 'k', type: S }, { name: 'name', type: S }], keys: [{ lookup: 'k', input: 'k' }], condition: null, changelog: 'insert-only',
      schema: ['id', 'k', 'k0', 'name'].map((name) => ({ name, type: S })),
    };
    let version = 'v1';
    const asked: unknown[][][] = [];
    const source = {
      open: async () => {}, close: async () => {},
      lookup: async (keys: readonly (readonly unknown[])[]) => {
        asked.push(keys.map((k) => [...k]));
        await new Promise((r) => setTimeout(r, 20));
        return keys.map(([k]) => (k === 'none' ? [] : [{ k, name: `${k} ${version}` }]));
      },
    };
    const pending: Promise<void>[] = [];
    const p = new LookupJoinProcessor(node, source, null, new OperatorMetrics('l', 'lookupJoin'), pending,
      new LookupCache({ maxRows: 10, expireAfterWriteMs: Infinity, expireAfterAccessMs: Infinity, cacheMissingKey: true }, () => 0));
    const out: string[] = [];
    p.outputs.push({ process: (rows) => rows.forEach((r: Row) => out.push(`${r.id} ${r.name}`)), watermark: (wm) => out.push(`wm ${wm}`), endInput: () => out.push('end') });
    const drain = async () => { while (pending.length) await Promise.all(pending.splice(0)); };
    p.process([{ id: '1', k: 'a' }, { id: '2', k: 'b' }, { id: '3', k: 'a' }, { id: '4', k: null }, { id: '5', k: 'none' }], null);
    p.watermark(7);
    expect(out).toEqual([]); // nothing, not even the watermark, before the lookup answers
    await drain();
    version = 'v2';
    p.process([{ id: '6', k: 'b' }, { id: '7', k: 'c' }], null);
    p.endInput();
    await drain();
    expect(asked).toEqual([[['a'], ['b'], ['none']], [['c']]]);
    expect(out).toEqual(['1 a v1', '2 b v1', '3 a v1', '4 null', '5 null', 'wm 7', '6 b v1', '7 c v2', 'end']);
  });

  it('lookup.max-retries: a table that appears during the retries is read; with no retries the job fails naming the table', async () => {
    const late = await dimTable(DIM, false);
    const creating = new Promise((resolve) => setTimeout(resolve, 300)).then(() => fillDim(late, DIM));
    const rows = await environment(late, ", 'lookup.max-retries' = '2'").sqlQuery(
      'SELECT o.id, d.name FROM orders o JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.k = d.k AND o.region = d.region').execute().collect() as Record<string, unknown>[];
    await creating;
    expect(byId(rows)).toEqual(byId(nestedLoop(DIM, (o, d) => o.region === d.region, false)));
    const missing = await dimTable([], false);
    await expect(environment(missing, ", 'lookup.max-retries' = '0'").sqlQuery(
      'SELECT o.id, d.name FROM orders o JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.k = d.k').execute().collect())
      .rejects.toThrow(`lookup in table 'dim' failed`);
  });
});

describe('lookup join plans and errors', () => {
  const tEnv = () => environment('t');
  it('explain shows the lookup keys; no exchange; the input\'s columns then the table\'s', () => {
    const t = tEnv().sqlQuery('SELECT * FROM orders o LEFT JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.k = d.k AND o.region = d.region AND d.lim > 3');
    expect(t.getSchema().map((f) => f.name)).toEqual(['id', 'k', 'region', 'amount', 'proc_time', 'k0', 'region0', 'name', 'lim']);
    const text = t.explain();
    expect(text).toContain('LookupJoin(table=[dim], joinType=[LeftOuterJoin], lookup=[k=k, region=region], where=[k=k AND region=region AND (lim > 3)]');
    expect(text).not.toContain('Exchange');
  });

  it('errors say what is supported', () => {
    const e = tEnv();
    e.executeSql("CREATE TABLE rates (cur STRING, rate INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')");
    e.executeSql("CREATE TABLE ev (cur STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')");
    expect(compileError(() => e.sqlQuery('SELECT * FROM ev JOIN rates FOR SYSTEM_TIME AS OF ev.ts AS r ON ev.cur = r.cur')).message)
      .toMatch(/^Temporal Table Join requires primary key in versioned table, but no primary key can be found \(table 'rates'\)$/);
    expect(compileError(() => e.sqlQuery('SELECT * FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.proc_time AS r ON o.k = r.cur')).message)
      .toMatch(/table 'rates' \(connector 'datagen'\) cannot be looked up/);
    expect(compileError(() => e.sqlQuery('SELECT * FROM orders o JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.amount > d.lim')).message)
      .toBe("a lookup join needs an equality between a column of 'dim' and a column of the input");
    expect(compileError(() => e.sqlQuery('SELECT * FROM orders o FULL JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.k = d.k')).message)
      .toMatch(/FULL JOIN with FOR SYSTEM_TIME AS OF is not supported/);
    expect(compileError(() => e.sqlQuery('SELECT * FROM orders o JOIN dim FOR SYSTEM_TIME AS OF o.id AS d ON o.k = d.k')).message)
      .toBe("Temporal table join currently only supports 'FOR SYSTEM_TIME AS OF' left table's time attribute field");
  });

  it('a PARTIAL cache without a bound is refused as Flink refuses it', () => {
    const e = environment('t', ", 'lookup.cache' = 'PARTIAL'");
    e.executeSql("CREATE TABLE out1 (id INT, name STRING) WITH ('connector' = 'blackhole')");
    e.sqlQuery('SELECT o.id, d.name FROM orders o JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON o.k = d.k').executeInsert('out1');
    expect(() => optimize(e.buildPlan('j', []))).toThrow(/a PARTIAL cache needs/);
  });
});
