// SQL queries run in-process (filesystem csv input, collect()) against an independent computation in plain
// TypeScript, construct by construct; windowed queries get out-of-order input within the watermark bound
// and records far beyond it, which must be dropped. Fused and unfused execution must agree.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { $, DataTypes, TableEnvironment, Tumble, lit, udf } from '../../compiler/api/index.js';
import { formatTimestamp } from '../../runtime/core/values.js';
import { collectBothWays, sortRows, tempDir, writeCsv } from '../helpers/tables.js';
import { tumbleReportSql } from './fixtures/seed-job.js';
import { planOf } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const DELAY = 5_000;
const NAMES = ['alice', 'anna', 'bob', 'carol', 'arnold', 'dave'];

interface Tx { account_id: number; amount: number; name: string; price: number | null; ts: number; late: boolean }

/**
 * Transactions in roughly increasing time, jittered below the watermark delay, and some records three hours late.
 * The source reads 4096 lines per batch and the watermark advances between batches, so late records come after
 * the first batch and lag by more than a batch's time span (4096 x 1.5 s): dropped whatever the batch boundaries.
 */
function transactions(n: number, seed = 7): Tx[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows: Tx[] = [];
  for (let i = 0; i < n; i++) {
    const base = T0 + i * 1_500;
    rows.push({
      account_id: 1 + Math.floor(rand() * 5), amount: 1 + Math.floor(rand() * 1000), name: NAMES[Math.floor(rand() * NAMES.length)],
      price: rand() < 0.1 ? null : Math.round(rand() * 10_000) / 100, ts: base - Math.floor(rand() * (DELAY - 200)), late: false,
    });
    if (i > 4200 && i % 97 === 0) rows.push({ account_id: 1, amount: 999, name: 'late', price: 1, ts: base - 10_800_000, late: true });
  }
  return rows;
}

const ROWS = transactions(6_000);
const ON_TIME = ROWS.filter((r) => !r.late);

function environment(rows: Tx[] = ROWS): TableEnvironment {
  const env = TableEnvironment.create();
  const file = writeCsv(rows.map((r) => [r.account_id, r.amount, r.name, r.price, new Date(r.ts)]));
  env.executeSql(`CREATE TABLE tx (
      account_id BIGINT, amount BIGINT, name STRING, price DOUBLE, ts TIMESTAMP(3),
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
    ) WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'csv')`);
  return env;
}

/** Runs a SQL query fused and unfused (each on a fresh environment) and returns its rows sorted. */
async function run(sql: string, rows?: Tx[]): Promise<Record<string, unknown>[]> {
  return sortRows(await collectBothWays(() => environment(rows).sqlQuery(sql)));
}

function groupBy<T>(rows: T[], key: (r: T) => unknown): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = JSON.stringify(key(r));
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('non-windowed queries', () => {
  it('projection, arithmetic, CASE, CAST, string functions and a WHERE with BETWEEN, IN, LIKE, IS NOT NULL', async () => {
    const got = await run(`SELECT account_id, amount * 2 + 1 AS a,
        CASE WHEN amount > 500 THEN 'big' WHEN amount > 100 THEN 'mid' ELSE 'small' END AS size,
        UPPER(name) AS un, CHAR_LENGTH(name) AS len, SUBSTRING(name FROM 2 FOR 3) AS sub,
        name || '#' || CAST(account_id AS STRING) AS tag, CASE account_id WHEN 1 THEN 'one' END AS is_one
      FROM tx WHERE amount BETWEEN 50 AND 900 AND account_id IN (1, 2, 3) AND name LIKE 'a%' AND price IS NOT NULL`);
    const expected = ROWS.filter((r) => r.amount >= 50 && r.amount <= 900 && [1, 2, 3].includes(r.account_id) && r.name.startsWith('a') && r.price !== null)
      .map((r) => ({
        account_id: r.account_id, a: r.amount * 2 + 1, size: r.amount > 500 ? 'big' : r.amount > 100 ? 'mid' : 'small',
        un: r.name.toUpperCase(), len: r.name.length, sub: r.name.slice(1, 4), tag: `${r.name}#${r.account_id}`, is_one: r.account_id === 1 ? 'one' : null,
      }));
    expect(got.length).toBeGreaterThan(100);
    expect(got).toEqual(sortRows(expected));
  });

  it('GROUP BY with COUNT(*), COUNT(DISTINCT), SUM, AVG, MIN, MAX and HAVING', async () => {
    const got = await run(`SELECT account_id, COUNT(*) AS n, COUNT(DISTINCT name) AS names, SUM(amount) AS total,
        AVG(amount) AS avg_amount, MIN(amount) AS lo, MAX(price) AS hi
      FROM tx WHERE name <> 'late' GROUP BY account_id HAVING SUM(amount) > 1000 AND COUNT(*) > 3`);
    const expected = [...groupBy(ON_TIME, (r) => r.account_id).values()].map((rs) => ({
      account_id: rs[0].account_id, n: rs.length, names: new Set(rs.map((r) => r.name)).size, total: sum(rs.map((r) => r.amount)),
      // AVG of a BIGINT is a BIGINT in Flink: the quotient truncated.
      avg_amount: Math.trunc(sum(rs.map((r) => r.amount)) / rs.length), lo: Math.min(...rs.map((r) => r.amount)),
      hi: Math.max(...rs.flatMap((r) => (r.price === null ? [] : [r.price]))),
    })).filter((r) => r.total > 1000 && r.n > 3);
    expect(got).toEqual(sortRows(expected));
  });

  it('SELECT DISTINCT, UNION ALL and UNION', async () => {
    const distinct = await run('SELECT DISTINCT account_id, name FROM tx');
    expect(distinct).toEqual(sortRows([...groupBy(ROWS, (r) => [r.account_id, r.name]).values()].map((rs) => ({ account_id: rs[0].account_id, name: rs[0].name }))));
    const all = await run('SELECT account_id, amount FROM tx WHERE amount < 20 UNION ALL SELECT account_id, amount FROM tx WHERE amount > 990');
    expect(all).toEqual(sortRows(ROWS.filter((r) => r.amount < 20 || r.amount > 990).map((r) => ({ account_id: r.account_id, amount: r.amount }))));
    const union = await run('SELECT account_id FROM tx WHERE amount < 20 UNION SELECT account_id FROM tx WHERE amount > 990');
    expect(union).toEqual(sortRows([...new Set(ROWS.filter((r) => r.amount < 20 || r.amount > 990).map((r) => r.account_id))].map((account_id) => ({ account_id }))));
  });

  it('WITH, a subquery in FROM, table aliases', async () => {
    const got = await run(`WITH big AS (SELECT account_id AS id, amount FROM tx WHERE amount > 500)
      SELECT b.id, SUM(b.amount) AS s FROM (SELECT * FROM big WHERE id <> 5) AS b GROUP BY b.id`);
    const big = ROWS.filter((r) => r.amount > 500 && r.account_id !== 5);
    expect(got).toEqual(sortRows([...groupBy(big, (r) => r.account_id).values()].map((rs) => ({ id: rs[0].account_id, s: sum(rs.map((r) => r.amount)) }))));
  });

  it('temporal functions: FLOOR/CEIL(ts TO unit), DATE_FORMAT, TIMESTAMPDIFF', async () => {
    const hourly = await run('SELECT FLOOR(ts TO HOUR) AS h, COUNT(*) AS n FROM tx WHERE name <> \'late\' GROUP BY FLOOR(ts TO HOUR)');
    const hour = 3_600_000;
    expect(hourly).toEqual(sortRows([...groupBy(ON_TIME, (r) => r.ts - (r.ts % hour)).values()].map((rs) => ({ h: rs[0].ts - (rs[0].ts % hour), n: rs.length }))));
    const got = await run(`SELECT CEIL(ts TO MINUTE) AS m, DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss') AS d,
        TIMESTAMPDIFF(SECOND, ts, TIMESTAMP '2026-01-02 00:00:00') AS left_s FROM tx WHERE account_id = 2`);
    const minute = 60_000;
    expect(got).toEqual(sortRows(ROWS.filter((r) => r.account_id === 2).map((r) => ({
      m: r.ts % minute === 0 ? r.ts : r.ts - (r.ts % minute) + minute, d: formatTimestamp(r.ts, 0),
      left_s: Math.trunc((Date.UTC(2026, 0, 2) - r.ts) / 1000),
    }))));
  });

  it('a UDF called by its registered name', async () => {
    udf((id: number) => `acct-${id}`, { name: 'account_label', inputTypes: [DataTypes.BIGINT()], resultType: DataTypes.STRING() });
    const got = await run('SELECT account_label(account_id) AS label, COUNT(*) AS n FROM tx GROUP BY account_label(account_id)');
    expect(got).toEqual(sortRows([...groupBy(ROWS, (r) => r.account_id).values()].map((rs) => ({ label: `acct-${rs[0].account_id}`, n: rs.length }))));
  });

  it('INSERT INTO a filesystem sink', async () => {
    const env = environment();
    const out = tempDir();
    env.executeSql(`CREATE TABLE big_ones (account_id BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv')`);
    await env.executeSql('INSERT INTO big_ones SELECT account_id, amount FROM tx WHERE amount > 950').await();
    const lines = fs.readdirSync(out).flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter(Boolean));
    expect(lines.sort()).toEqual(ROWS.filter((r) => r.amount > 950).map((r) => `${r.account_id},${r.amount}`).sort());
  });
});

/** Per-key window aggregates of the on-time records, computed directly. */
function windowed(windows: (ts: number) => [number, number][]) {
  const acc = new Map<string, { account_id: number; ws: number; we: number; n: number; total: number }>();
  for (const r of ON_TIME) {
    for (const [ws, we] of windows(r.ts)) {
      const k = JSON.stringify([r.account_id, ws, we]);
      const a = acc.get(k) ?? { account_id: r.account_id, ws, we, n: 0, total: 0 };
      a.n++;
      a.total += r.amount;
      acc.set(k, a);
    }
  }
  return sortRows([...acc.values()]);
}

const tumbling = (size: number) => (ts: number): [number, number][] => [[ts - (ts % size), ts - (ts % size) + size]];
const hopping = (slide: number, size: number) => (ts: number): [number, number][] => {
  const out: [number, number][] = [];
  for (let s = ts - (ts % slide); s > ts - size; s -= slide) out.push([s, s + size]);
  return out;
};

describe('windowed queries (late records dropped)', () => {
  it('GROUP BY TUMBLE with TUMBLE_START and TUMBLE_END', async () => {
    expect(ROWS.length - ON_TIME.length).toBeGreaterThan(10);
    const got = await run(`SELECT account_id, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS ws, TUMBLE_END(ts, INTERVAL '1' MINUTE) AS we,
      COUNT(*) AS n, SUM(amount) AS total FROM tx GROUP BY account_id, TUMBLE(ts, INTERVAL '1' MINUTE)`);
    expect(got).toEqual(windowed(tumbling(60_000)));
  });

  it('GROUP BY HOP(ts, slide, size)', async () => {
    const got = await run(`SELECT account_id, HOP_START(ts, INTERVAL '30' SECOND, INTERVAL '2' MINUTE) AS ws, HOP_END(ts, INTERVAL '30' SECOND, INTERVAL '2' MINUTE) AS we,
      COUNT(*) AS n, SUM(amount) AS total FROM tx GROUP BY HOP(ts, INTERVAL '30' SECOND, INTERVAL '2' MINUTE), account_id`);
    expect(got).toEqual(windowed(hopping(30_000, 120_000)));
  });

  it('GROUP BY SESSION(ts, gap)', async () => {
    const gap = 20_000;
    // Sparse input so that sessions actually break: two accounts, gaps of 1 s to 40 s; late records a day behind.
    let t = T0;
    let s = 3;
    const rows: Tx[] = [];
    for (let i = 0; i < 6000; i++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      t += 1_000 + (s % 40_000);
      rows.push({ account_id: 1 + (i % 2), amount: i, name: 'x', price: 1, ts: t - (s % 3_000), late: false });
      if (i > 4200 && i % 50 === 49) rows.push({ account_id: 1, amount: 1, name: 'late', price: 1, ts: t - 86_400_000, late: true });
    }
    const got = await run(`SELECT account_id, SESSION_START(ts, INTERVAL '20' SECOND) AS ws, SESSION_END(ts, INTERVAL '20' SECOND) AS we,
      COUNT(*) AS n, SUM(amount) AS total FROM tx GROUP BY account_id, SESSION(ts, INTERVAL '20' SECOND)`, rows);
    const expected: Record<string, unknown>[] = [];
    for (const rs of groupBy(rows.filter((r) => !r.late), (r) => r.account_id).values()) {
      const sorted = [...rs].sort((a, b) => a.ts - b.ts);
      let cur: Tx[] = [];
      const flush = () => cur.length && expected.push({ account_id: cur[0].account_id, ws: cur[0].ts, we: cur[cur.length - 1].ts + gap, n: cur.length, total: sum(cur.map((r) => r.amount)) });
      for (const r of sorted) {
        // Windows [ts, ts + gap) that touch merge, as Flink's TimeWindow.intersects has it.
        if (cur.length && r.ts - cur[cur.length - 1].ts > gap) { flush(); cur = []; }
        cur.push(r);
      }
      flush();
    }
    expect(got.length).toBeGreaterThan(20);
    expect(got).toEqual(sortRows(expected));
  });

  it('window TVFs: TUMBLE, HOP and CUMULATE with window_start, window_end', async () => {
    const tumble = await run(`SELECT account_id, window_start AS ws, window_end AS we, COUNT(*) AS n, SUM(amount) AS total
      FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTES)) GROUP BY window_start, window_end, account_id`);
    expect(tumble).toEqual(windowed(tumbling(60_000)));
    const hop = await run(`SELECT account_id, window_start AS ws, window_end AS we, COUNT(*) AS n, SUM(amount) AS total
      FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '2' MINUTE)) GROUP BY window_start, window_end, account_id`);
    expect(hop).toEqual(windowed(hopping(30_000, 120_000)));
    const step = 20_000;
    const size = 60_000;
    const cumulate = await run(`SELECT account_id, window_start AS ws, window_end AS we, COUNT(*) AS n, SUM(amount) AS total
      FROM TABLE(CUMULATE(TABLE tx, DESCRIPTOR(ts), INTERVAL '20' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, account_id`);
    expect(cumulate).toEqual(windowed((ts) => {
      const start = ts - (ts % size);
      const out: [number, number][] = [];
      for (let end = start + step; end <= start + size; end += step) if (end > ts) out.push([start, end]);
      return out;
    }));
  });

  it("the seed's TUMBLE query in SQL and in the Table API: same rows, same plan shape", async () => {
    const seedRows = ROWS.map((r) => [r.account_id, r.amount, new Date(r.ts)]);
    const file = writeCsv(seedRows);
    const seedEnv = () => {
      const env = TableEnvironment.create();
      env.executeSql(`CREATE TABLE transactions (account_id BIGINT, amount BIGINT, transaction_time TIMESTAMP(3),
        WATERMARK FOR transaction_time AS transaction_time - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'csv')`);
      return env;
    };
    const api = (env: TableEnvironment) => env.from('transactions')
      .window(Tumble.over(lit(10).minutes()).on($('transaction_time')).as('w'))
      .groupBy($('w'), $('account_id'))
      .select($('w').start().as('wStart'), $('w').end().as('wEnd'), $('account_id'), $('amount').sum().as('total_amount'));
    const sqlRows = sortRows(await collectBothWays(() => tumbleReportSql(seedEnv())));
    const apiRows = sortRows(await collectBothWays(() => api(seedEnv())));
    expect(sqlRows).toEqual(apiRows);
    const tenMinutes = 600_000;
    expect(sqlRows).toEqual(sortRows(windowed(tumbling(tenMinutes)).map(({ account_id, ws, we, total }) => ({ wStart: ws, wEnd: we, account_id, total_amount: total }))));
    expect(planOf(tumbleReportSql(seedEnv())).map((n) => n.kind)).toEqual(planOf(api(seedEnv())).map((n) => n.kind));
  });
});
