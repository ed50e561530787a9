// The jdbc sink against the real MariaDB of the local stack (bash stack/up.sh): upserts of a random changelog,
// buffer reduction, append mode, flushing by max-rows and by interval, odd identifiers, UTC timestamps, the
// schema check at open, the spend report job end to end, and the server stopped and restarted mid-run
// (within and beyond the retry budget). One file, so that no other test of this folder runs while the server
// is stopped.
// Each result is checked against the changelog materialized independently (changelog.ts) and read back with
// a separate MySQL connection. These tests FAIL when MariaDB is down.
// The restart tests stop the shared MariaDB for a few seconds: other suites using it at that moment may fail.
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import { runPlan } from '../../compiler/run-standalone.js';
import { jdbc } from '../../runtime/connectors/jdbc/connector.js';
import { findConnector } from '../../runtime/connectors/registry.js';
import type { SinkContext, SinkWriter } from '../../runtime/core/connector.js';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import { ExternalError, UserError } from '../../runtime/core/errors.js';
import { validateOptions } from '../../runtime/core/options.js';
import { RowKind, type Batch, type Row } from '../../runtime/core/row.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';
import { sinkContext } from '../connectors/context.js';
import { writeCsv } from '../helpers/tables.js';
import { eventually, materialize, randomChangelog, toBatches, type Change } from './changelog.js';
import { MYSQL, MYSQL_URL, STACK_HINT, capturingLogger, stack } from './stack-control.js';

const URL = MYSQL_URL;
const suffix = () => randomUUID().slice(0, 8);
const q = (id: string) => '`' + id.replace(/`/g, '``') + '`';

// A pool, so that the test's own reads survive the restart tests.
let admin: mysql.Pool;
const created: string[] = [];

beforeAll(async () => {
  admin = mysql.createPool({ ...MYSQL, connectTimeout: 3000, dateStrings: true, connectionLimit: 2 });
  await admin.query('SELECT 1').catch((e) => {
    throw new Error(`MariaDB at ${MYSQL.host}:${MYSQL.port} unreachable: ${e.message}${STACK_HINT}`);
  });
});

afterAll(async () => {
  for (const t of created) await admin.query(`DROP TABLE IF EXISTS ${q(t)}`).catch(() => {});
  await admin?.end().catch(() => {});
});

async function createTable(name: string, ddl: string): Promise<string> {
  created.push(name);
  await admin.query(`CREATE TABLE ${q(name)} (${ddl})`);
  return name;
}

const spendSchema: Field[] = [
  { name: 'account_id', type: DataTypes.BIGINT() },
  { name: 'log_ts', type: DataTypes.TIMESTAMP(3) },
  { name: 'amount', type: DataTypes.BIGINT() },
];
const SPEND_DDL = 'account_id BIGINT NOT NULL, log_ts TIMESTAMP(3) NOT NULL, amount BIGINT NOT NULL, PRIMARY KEY (account_id, log_ts)';

async function openSink(opts: {
  table: string; schema?: Field[]; key?: string[]; options?: Record<string, string>; log?: SinkContext['log']; signal?: AbortSignal;
}): Promise<{ sink: SinkWriter; ctx: SinkContext }> {
  const schema = opts.schema ?? spendSchema;
  const key = opts.key ?? ['account_id', 'log_ts'];
  const base = sinkContext(schema, {
    connector: 'jdbc', url: URL, 'table-name': opts.table, username: MYSQL.user, password: MYSQL.password,
    driver: 'com.mysql.jdbc.Driver', ...opts.options,
  });
  const ctx: SinkContext = {
    ...base, table: 'spend_report', primaryKey: key, changelog: key.length ? 'upsert' : 'insert-only',
    ...(opts.log ? { log: opts.log } : {}), ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const sink = (await jdbc.load()).createSink!(ctx);
  await sink.open(null);
  return { sink, ctx };
}

/** Hands batches to the sink, honouring its backpressure as the runtime does. */
async function writeBatches(sink: SinkWriter, batches: Batch[]): Promise<void> {
  for (const b of batches) await sink.write(b);
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 2, 31, 22, 0, 0);
/** What the sink should write for a timestamp, computed without the runtime's formatter. */
const sqlTs = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const spendKey = (r: Row) => `${r.account_id}|${r.log_ts}`;

function spendChangelog(steps: number, seed: number): Change[] {
  const keys: Row[] = [];
  // Millisecond offsets check that fractions survive; the hours cross a date boundary.
  for (let a = 1; a <= 12; a++) for (let h = 0; h < 4; h++) keys.push({ account_id: a * 1_000_000_007, log_ts: T0 + h * HOUR + (a % 3) * 7 });
  return randomChangelog(steps, keys, (random) => ({ amount: Math.floor(random() * 1e12) - 5e11 }), seed);
}

async function readSpend(table: string): Promise<Map<string, Row>> {
  const conn = await admin.getConnection();
  // Shows TIMESTAMP columns in UTC, whatever the server's zone.
  await conn.query("SET time_zone = '+00:00'");
  const [rows] = await conn.query(
    `SELECT account_id, log_ts, amount, UNIX_TIMESTAMP(log_ts) AS epoch FROM ${q(table)}`) as unknown as [Record<string, unknown>[]];
  conn.release();
  const out = new Map<string, Row>();
  for (const r of rows) {
    // UNIX_TIMESTAMP of a TIMESTAMP column does not depend on any session's time zone: the stored instant.
    const ms = Math.round(Number(r.epoch) * 1000);
    expect(r.log_ts).toBe(sqlTs(ms));
    const row = { account_id: Number(r.account_id), log_ts: ms, amount: Number(r.amount) };
    out.set(spendKey(row), row);
  }
  return out;
}

const sorted = (m: Map<string, Row>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

async function count(table: string): Promise<number> {
  const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM ${q(table)}`) as unknown as [{ n: number }[]];
  return Number(rows[0].n);
}

describe('jdbc connector options', () => {
  it('accepts the playground DDL and names the problem in a bad url', () => {
    expect(findConnector('jdbc')).toBe(jdbc);
    expect(validateOptions(jdbc.options, {
      connector: 'jdbc', url: 'jdbc:mysql://mysql:3306/sql-demo', 'table-name': 'spend_report',
      driver: 'com.mysql.jdbc.Driver', username: 'sql-demo', password: 'demo-sql',
    })).toEqual([]);
    const bad = validateOptions(jdbc.options, { url: 'mysql://mysql:3306/sql-demo', 'table-name': 't' });
    expect(bad).toHaveLength(1);
    expect(bad[0].option).toBe('url');
    expect(bad[0].message).toContain('expected jdbc:mysql://host[:port]/database');
    expect(validateOptions(jdbc.options, { url: 'jdbc:mysql://h:3306/', 'table-name': 't' })[0].message).toContain('names no database');
    expect(validateOptions(jdbc.options, { url: URL, 'table-name': 't', 'sink.max-retries': '-1' })[0].option).toBe('sink.max-retries');
    expect(validateOptions(jdbc.options, { url: URL, 'table-name': 't', 'sink.buffer-flush.intervall': '1s' })[0].hint).toContain("did you mean 'sink.buffer-flush.interval'");
    expect(validateOptions(jdbc.options, { url: URL })[0].message).toContain("missing required option 'table-name'");
  });

  it('checks the primary key against the columns', () => {
    const problems = jdbc.validate!({ table: 't', declared: spendSchema, primaryKey: ['account', 'log_ts'], options: { url: URL, 'table-name': 't' } }, 'sink');
    expect(problems.map((p) => p.message)).toEqual([`primary key column 'account' is not a column of the table`]);
  });
});

describe('jdbc sink on MariaDB', () => {
  it('upserts a changelog (+I, -U/+U, -D) to exactly the materialized table, timestamps in UTC', async () => {
    const table = await createTable(`spend_${suffix()}`, SPEND_DDL);
    const changes = spendChangelog(3000, 11);
    const { sink, ctx } = await openSink({ table, options: { 'sink.buffer-flush.max-rows': '37', 'sink.buffer-flush.interval': '0' } });
    await writeBatches(sink, toBatches(changes, 25, 12));
    await sink.flush();
    await sink.close();
    const expected = materialize(changes, spendKey);
    expect(expected.size).toBeGreaterThan(10);
    expect(changes.some((c) => c.kind === RowKind.DELETE)).toBe(true);
    expect(sorted(await readSpend(table))).toEqual(sorted(expected));
    // -U rows are skipped; every other change reached MySQL at most once (fewer when reduced in a buffer).
    const applied = changes.filter((c) => c.kind !== RowKind.UPDATE_BEFORE).length;
    expect(ctx.metrics.recordsOut).toBeGreaterThan(0);
    expect(ctx.metrics.recordsOut).toBeLessThanOrEqual(applied);
  });

  it('reduces a buffer by key: the last change wins and only it is written', async () => {
    const table = await createTable(`reduce_${suffix()}`, SPEND_DDL);
    const { sink, ctx } = await openSink({ table, options: { 'sink.buffer-flush.max-rows': '0', 'sink.buffer-flush.interval': '0' } });
    const key = { account_id: 7, log_ts: T0 };
    const rows: Row[] = [];
    const kinds: RowKind[] = [];
    for (let i = 1; i <= 500; i++) {
      if (i > 1) { rows.push({ ...key, amount: i - 1 }); kinds.push(RowKind.UPDATE_BEFORE); }
      rows.push({ ...key, amount: i }); kinds.push(i === 1 ? RowKind.INSERT : RowKind.UPDATE_AFTER);
    }
    // A key deleted and inserted again within the buffer ends up present; one inserted then deleted, absent.
    rows.push({ account_id: 8, log_ts: T0, amount: 1 }, { account_id: 8, log_ts: T0, amount: 1 }, { account_id: 8, log_ts: T0, amount: 2 });
    kinds.push(RowKind.INSERT, RowKind.DELETE, RowKind.INSERT);
    rows.push({ account_id: 9, log_ts: T0, amount: 1 }, { account_id: 9, log_ts: T0, amount: 1 });
    kinds.push(RowKind.INSERT, RowKind.DELETE);
    await sink.write({ rows, kinds });
    await sink.flush();
    await sink.close();
    expect(ctx.metrics.recordsOut).toBe(3);
    expect(sorted(await readSpend(table))).toEqual(sorted(new Map([
      [spendKey(key), { ...key, amount: 500 }],
      [spendKey({ account_id: 8, log_ts: T0 }), { account_id: 8, log_ts: T0, amount: 2 }],
    ])));
  });

  it('appends rows in order without a primary key, and refuses changes it cannot append', async () => {
    // An extra auto-increment column the sink does not write keeps the arrival order visible.
    const table = await createTable(`append_${suffix()}`, 'seq INT AUTO_INCREMENT PRIMARY KEY, account_id BIGINT, log_ts DATETIME(3), amount BIGINT');
    const { sink } = await openSink({ table, key: [], options: { 'sink.buffer-flush.max-rows': '7' } });
    const rows: Row[] = Array.from({ length: 100 }, (_, i) => ({ account_id: i % 3, log_ts: T0 + i * 1001, amount: i % 5 === 0 ? 5 : i }));
    // Duplicates stay duplicates: appending is not upserting.
    rows.push({ ...rows[0] }, { ...rows[0] });
    for (let i = 0; i < rows.length; i += 9) await sink.write({ rows: rows.slice(i, i + 9), kinds: null });
    await sink.flush();
    expect(() => sink.write({ rows: [rows[0]], kinds: [RowKind.DELETE] })).toThrow(UserError);
    expect(() => sink.write({ rows: [rows[0]], kinds: [RowKind.DELETE] })).toThrow(/declares no PRIMARY KEY.*-D/);
    await sink.close();
    const [read] = await admin.query(`SELECT account_id, log_ts, amount FROM ${q(table)} ORDER BY seq`) as unknown as [Record<string, unknown>[]];
    expect(read.map((r) => ({ account_id: Number(r.account_id), log_ts: r.log_ts, amount: Number(r.amount) })))
      .toEqual(rows.map((r) => ({ ...r, log_ts: sqlTs(r.log_ts as number) })));
  });

  it('sends a buffer when max-rows records arrived, without flush()', async () => {
    const table = await createTable(`maxrows_${suffix()}`, SPEND_DDL);
    const { sink } = await openSink({ table, options: { 'sink.buffer-flush.max-rows': '10', 'sink.buffer-flush.interval': '0' } });
    const row = (i: number): Row => ({ account_id: i, log_ts: T0, amount: i });
    await sink.write({ rows: Array.from({ length: 9 }, (_, i) => row(i)), kinds: null });
    await new Promise((r) => setTimeout(r, 400));
    expect(await count(table)).toBe(0);
    await sink.write({ rows: [row(9)], kinds: null });
    await eventually(async () => (await count(table)) === 10, 5000, '10 rows after the 10th record');
    await sink.write({ rows: [row(10), row(11)], kinds: null });
    await new Promise((r) => setTimeout(r, 400));
    expect(await count(table)).toBe(10);
    await sink.flush();
    expect(await count(table)).toBe(12);
    await sink.close();
  });

  it('sends a buffer every sink.buffer-flush.interval, without flush()', async () => {
    const table = await createTable(`interval_${suffix()}`, SPEND_DDL);
    const { sink } = await openSink({ table, options: { 'sink.buffer-flush.max-rows': '1000', 'sink.buffer-flush.interval': '300ms' } });
    await sink.write({ rows: [1, 2, 3].map((i) => ({ account_id: i, log_ts: T0, amount: i })), kinds: null });
    expect(await count(table)).toBe(0);
    const took = await eventually(async () => (await count(table)) === 3, 5000, 'rows after the flush interval');
    expect(took).toBeLessThan(3000);
    await sink.close();
  });

  it('holds writers back while a batch is in flight and the buffer is several batches long', async () => {
    const table = await createTable(`backpressure_${suffix()}`, SPEND_DDL);
    const { sink } = await openSink({ table, options: { 'sink.buffer-flush.max-rows': '10', 'sink.buffer-flush.interval': '0' } });
    const rows = (from: number, n: number) => ({ rows: Array.from({ length: n }, (_, i) => ({ account_id: from + i, log_ts: T0, amount: i })), kinds: null });
    // Another session's table lock keeps the sink's first batch waiting on the server.
    const locker = await admin.getConnection();
    await locker.query(`LOCK TABLES ${q(table)} WRITE`);
    let released = false;
    try {
      expect(sink.write(rows(0, 10))).toBeUndefined();
      expect(sink.write(rows(10, 20))).toBeUndefined();
      const held = sink.write(rows(30, 25));
      expect(held).toBeInstanceOf(Promise);
      let settled = false;
      void held!.then(() => { settled = true; });
      await new Promise((r) => setTimeout(r, 500));
      expect(settled).toBe(false);
      await locker.query('UNLOCK TABLES');
      released = true;
      await held;
    } finally {
      if (!released) await locker.query('UNLOCK TABLES');
      locker.release();
    }
    await sink.flush();
    await sink.close();
    expect(await count(table)).toBe(55);
  });

  it('quotes identifiers with odd characters', async () => {
    const table = `odd \`t\`; DROP TABLE x -- ${suffix()}`;
    await createTable(table, '`key col` VARCHAR(64) NOT NULL, `a``b` BIGINT NOT NULL, `select` DOUBLE, `ünï "x"` TEXT, PRIMARY KEY (`key col`, `a``b`)');
    const schema: Field[] = [
      { name: 'key col', type: DataTypes.STRING() },
      { name: 'a`b', type: DataTypes.BIGINT() },
      { name: 'select', type: DataTypes.DOUBLE() },
      { name: 'ünï "x"', type: DataTypes.STRING() },
    ];
    const { sink } = await openSink({ table, schema, key: ['key col', 'a`b'] });
    const r = (k: string, n: number, d: number | null, s: string | null): Row => ({ 'key col': k, 'a`b': n, select: d, 'ünï "x"': s });
    await sink.write({
      rows: [r("it's", 1, 1.5, 'x'), r('`; --', 2, null, "quote ' and \\ backslash"), r('gone', 3, 0, null), r("it's", 1, 1.5, 'x'), r("it's", 1, -2.25, null), r('gone', 3, 0, null)],
      kinds: [RowKind.INSERT, RowKind.INSERT, RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE],
    });
    await sink.flush();
    await sink.close();
    const [rows] = await admin.query(`SELECT * FROM ${q(table)} ORDER BY \`a\`\`b\``) as unknown as [Row[]];
    expect(rows.map((x) => ({ ...x, 'a`b': Number(x['a`b']) }))).toEqual([r("it's", 1, -2.25, null), r('`; --', 2, null, "quote ' and \\ backslash")]);
  });

  it('rejects at open a table whose column types do not fit, naming table, column, expected and found type', async () => {
    const table = await createTable(`mismatch_${suffix()}`, 'account_id BIGINT NOT NULL, log_ts DATETIME(3) NOT NULL, amount VARCHAR(20), PRIMARY KEY (account_id, log_ts)');
    const error = await openSink({ table }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toContain(`table 'spend_report'`);
    expect(message).toContain(`\`sql-demo\`.\`${table}\``);
    expect(message).toContain(`column 'amount'`);
    expect(message).toContain('has type varchar(20)');
    expect(message).toContain('the sink writes BIGINT');
    expect(message).toContain('expected bigint, decimal, double');
  });

  it('rejects at open a narrower integer, a missing table or column, and a key MySQL does not enforce', async () => {
    const narrow = await createTable(`narrow_${suffix()}`, 'account_id INT NOT NULL, log_ts DATETIME(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id, log_ts)');
    await expect(openSink({ table: narrow })).rejects.toThrow(/column 'account_id' .* has type int\(11\), but the sink writes BIGINT: expected bigint, decimal, double/);
    await expect(openSink({ table: `missing_${suffix()}` })).rejects.toThrow(/`sql-demo`\.`missing_[0-9a-f]+` does not exist/);
    const noAmount = await createTable(`noamount_${suffix()}`, 'account_id BIGINT NOT NULL, log_ts DATETIME(3) NOT NULL, amount_total BIGINT, PRIMARY KEY (account_id, log_ts)');
    await expect(openSink({ table: noAmount })).rejects.toThrow(/has no column 'amount'/);
    const otherKey = await createTable(`otherkey_${suffix()}`, 'account_id BIGINT NOT NULL, log_ts DATETIME(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id)');
    await expect(openSink({ table: otherKey })).rejects.toThrow(/has no PRIMARY KEY or UNIQUE index on \(account_id, log_ts\)/);
    const unwritten = await createTable(`unwritten_${suffix()}`, 'account_id BIGINT NOT NULL, log_ts DATETIME(3) NOT NULL, amount BIGINT, note TEXT NOT NULL, PRIMARY KEY (account_id, log_ts)');
    await expect(openSink({ table: unwritten })).rejects.toThrow(/column 'note' .* is NOT NULL without a default, and the sink does not write it/);
  });
});

describe('spend report job into MariaDB', () => {
  // jobs/spend-report.ts unchanged, its Kafka source swapped for a CSV file (--set); the second run over the
  // same input is a replay after a restore, which keyed upserts must leave without effect.
  it('leaves exactly the hourly sums per account, also after a replay', async () => {
    const table = await createTable(`spend_report_${suffix()}`, SPEND_DDL);
    const rows = Array.from({ length: 5000 }, (_, i) => [(i % 7) + 1, (i * 37) % 1000, new Date(T0 + i * 29_000 - (i % 3) * 1000)] as [number, number, Date]);
    const file = writeCsv(rows);
    const { plan } = await compileJob('jobs/spend-report.ts', { args: [] });
    const run = applyOverrides(plan, { sets: [
      'transactions.connector=filesystem', `transactions.path=${file}`, 'transactions.format=csv',
      `spend_report.table-name=${table}`, `spend_report.url=${URL}`,
    ] });
    const expected = new Map<string, Row>();
    for (const [account, amount, t] of rows) {
      const hour = t.getTime() - (t.getTime() % HOUR);
      const key = spendKey({ account_id: account, log_ts: hour });
      expected.set(key, { account_id: account, log_ts: hour, amount: ((expected.get(key)?.amount as number | undefined) ?? 0) + amount });
    }
    await runPlan(run, true);
    expect(sorted(await readSpend(table))).toEqual(sorted(expected));
    await runPlan(run, false);
    expect(sorted(await readSpend(table))).toEqual(sorted(expected));
  });
});

describe('jdbc sink while MariaDB stops (stops the shared server)', () => {
  it('retries while the server restarts within the retry budget: the final table is exact', async () => {
    const table = await createTable(`restart_${suffix()}`, SPEND_DDL);
    const changes = spendChangelog(1500, 21);
    const batches = toBatches(changes, 20, 22);
    const thirds = [batches.slice(0, 25), batches.slice(25, 60), batches.slice(60)];
    const { log, lines } = capturingLogger();
    // 5 retries wait 1+2+4+8+16 s: far longer than a MariaDB restart.
    const { sink } = await openSink({ table, log, options: { 'sink.buffer-flush.max-rows': '20', 'sink.buffer-flush.interval': '200ms', 'sink.max-retries': '5' } });
    try {
      await writeBatches(sink, thirds[0]);
      await sink.flush();
      await stack('down', 'mariadb');
      // Writes go on while the server is away; a write's backpressure promise is not awaited, since it only
      // settles once the server is back.
      const pending: Promise<void>[] = [];
      for (const b of thirds[1]) {
        const p = sink.write(b);
        if (p) pending.push(p);
      }
      const flushed = sink.flush();
      await new Promise((r) => setTimeout(r, 1500));
      await stack('up', 'mariadb');
      await Promise.all([flushed, ...pending]);
      await writeBatches(sink, thirds[2]);
      await sink.flush();
    } finally {
      await stack('up', 'mariadb');
      await sink.close();
    }
    expect(lines.some((l) => l.msg.includes('retrying'))).toBe(true);
    const expected = materialize(changes, spendKey);
    expect(sorted(await readSpend(table))).toEqual(sorted(expected));
  }, 120_000);

  it('fails with a clear ExternalError when the server stays down beyond the retry budget', async () => {
    const table = await createTable(`down_${suffix()}`, SPEND_DDL);
    const { sink } = await openSink({ table, options: { 'sink.buffer-flush.max-rows': '100', 'sink.buffer-flush.interval': '0', 'sink.max-retries': '1' } });
    let error: unknown = null;
    const started = Date.now();
    try {
      await sink.write({ rows: [{ account_id: 1, log_ts: T0, amount: 1 }], kinds: null });
      await stack('down', 'mariadb');
      const t = Date.now();
      error = await sink.flush().then(() => null, (e: unknown) => e);
      // One retry after 1 s, then the write fails: the budget is spent, not the test's patience.
      expect(Date.now() - t).toBeLessThan(10_000);
      // The failure sticks: the next write fails too, so the job fails over instead of losing the batch.
      expect(() => sink.write({ rows: [{ account_id: 2, log_ts: T0, amount: 2 }], kinds: null })).toThrow(ExternalError);
    } finally {
      await stack('up', 'mariadb');
      await sink.close();
    }
    expect(error).toBeInstanceOf(ExternalError);
    const message = (error as Error).message;
    expect(message).toMatch(/^mysql: writing 1 rows to table 'spend_report' \(MySQL `sql-demo`\.`down_[0-9a-f]+` at 127\.0\.0\.1:3306\) failed after 2 attempts \(sink\.max-retries = 1\): /);
    expect(message).toMatch(/ECONNREFUSED|closed state|Connection lost|PROTOCOL_CONNECTION_LOST/);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
