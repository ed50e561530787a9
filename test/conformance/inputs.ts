// The input tables of the conformance corpus, as DDL and as JSON-lines files that both real Flink and sluice
// read (filesystem connector, json format). `t` holds one row per kind of edge (typical, negative, all NULL,
// zeros and empty strings, extremes); `ev` is an event stream with out-of-order records within the watermark
// delay and records late far beyond it; `dim` is a small dimension table for joins; `rates` (and the tables and
// view over its file) the versions of a rate per currency, for temporal joins.
import fs from 'node:fs';
import path from 'node:path';

type Json = string | number | boolean | null;

const T_ROWS: Record<string, Json>[] = [
  { id: 1, i: 7, bi: 10000000000, si: 300, ti: 5, d: 12.5, f: 1.5, dc: 12.34, s: 'Hello World', s2: 'lo', n: '42', b: true,
    ts: '2024-01-31 10:15:30.123', dt: '2024-02-29', tm: '10:15:30', js: '{"a":1,"b":[1,2],"c":{"d":"x"}}' },
  { id: 2, i: -3, bi: -42, si: -2, ti: -128, d: -0.5, f: -2.25, dc: -0.05, s: '  padded  ', s2: 'a', n: '-3.5', b: false,
    ts: '1999-12-31 23:59:59.999', dt: '1970-01-01', tm: '00:00:00', js: '[1,"two",null]' },
  { id: 3, i: null, bi: null, si: null, ti: null, d: null, f: null, dc: null, s: null, s2: null, n: null, b: null,
    ts: null, dt: null, tm: null, js: null },
  { id: 4, i: 0, bi: 0, si: 0, ti: 0, d: 0, f: 0, dc: 0, s: '', s2: '', n: '', b: true,
    ts: '1970-01-01 00:00:00.000', dt: '2000-03-01', tm: '23:59:59', js: 'not json' },
  { id: 5, i: 2147483647, bi: 9007199254740991, si: 32767, ti: 127, d: 10000000000, f: 0.1, dc: 99999999.99, s: 'ÄÖü ß 日本', s2: 'ß', n: ' 7 ', b: false,
    ts: '2038-01-19 03:14:07.999', dt: '2024-12-31', tm: '12:00:00', js: '"str"' },
];

const T_DDL = `CREATE TABLE t (
  id INT, i INT, bi BIGINT, si SMALLINT, ti TINYINT, d DOUBLE, f FLOAT, dc DECIMAL(10, 2), s STRING, s2 STRING, n STRING,
  b BOOLEAN, ts TIMESTAMP(3), dt DATE, tm TIME(0), js STRING
) WITH ('connector' = 'filesystem', 'path' = '\${dir}/t.json', 'format' = 'json')`;

const KEYS = ['a', 'b', 'c'];
const EV_START = Date.UTC(2026, 0, 1);

/**
 * 9000 records 100 ms apart, jittered back by up to 1.5 s (the watermark delay is 2 s, so none is late), and
 * every 97th record after the 5000th one an hour late. sluice advances the watermark between batches of 4096
 * lines and Flink (auto-watermark-interval 0) after every record; an hour is far beyond both, so exactly
 * these records are late in both engines.
 */
function eventRows(): Record<string, Json>[] {
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows: Record<string, Json>[] = [];
  for (let i = 0; i < 9000; i++) {
    const ts = EV_START + i * 100 - Math.floor(rand() * 1500);
    rows.push({ id: i, k: KEYS[Math.floor(rand() * KEYS.length)], v: Math.floor(rand() * 100) - 10, ts: sqlTimestamp(ts) });
    if (i > 5000 && i % 97 === 0) rows.push({ id: 100000 + i, k: 'late', v: 1000, ts: sqlTimestamp(EV_START + i * 100 - 3_600_000) });
  }
  return rows;
}

function sqlTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const EV_DDL = `CREATE TABLE ev (
  id INT, k STRING, v INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH ('connector' = 'filesystem', 'path' = '\${dir}/ev.json', 'format' = 'json')`;

const DIM_ROWS: Record<string, Json>[] = [
  { k: 'a', name: 'alpha', w: 1 }, { k: 'b', name: 'beta', w: 2 }, { k: 'x', name: 'unmatched', w: 3 }, { k: null, name: 'null key', w: 4 },
];

const DIM_DDL = `CREATE TABLE dim (k STRING, name STRING, w INT)
WITH ('connector' = 'filesystem', 'path' = '\${dir}/dim.json', 'format' = 'json')`;

/**
 * Versions of a rate per currency, for temporal joins against `ev` (k = currency): every 3 s over ev's time
 * range and before it, out of order within the watermark delay; a second row at the same time as the one
 * before (it replaces it); NULL and 'z' currencies (ev has neither); from the 150th on, every 40th version
 * an hour late (older than every version of its key, so never the valid one); and one version of 'late'
 * before all of ev's late rows, which are late in both engines and still join it.
 */
function rateRows(): Record<string, Json>[] {
  let seed = 5;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows: Record<string, Json>[] = [{ currency: 'late', rate: 900, rts: sqlTimestamp(EV_START - 3_700_000) }];
  for (let i = 0; i < 320; i++) {
    const currency = i < 3 ? KEYS[i] : i % 23 === 0 ? null : i % 31 === 0 ? 'z' : KEYS[Math.floor(rand() * KEYS.length)];
    const rts = EV_START - 10_000 + i * 3000 - Math.floor(rand() * 1500);
    rows.push({ currency, rate: i, rts: sqlTimestamp(rts) });
    if (i % 50 === 25) rows.push({ currency, rate: 1000 + i, rts: sqlTimestamp(rts) });
    if (i >= 150 && i % 40 === 0) rows.push({ currency: KEYS[i % 2], rate: 2000 + i, rts: sqlTimestamp(rts - 3_600_000) });
  }
  return rows;
}

const RATE_COLUMNS = "currency STRING, rate INT, rts TIMESTAMP(3)";
const RATES_OPTIONS = "WITH ('connector' = 'filesystem', 'path' = '${dir}/rates.json', 'format' = 'json')";
const RATES_DDL = [
  // The changes as they come, and the versioned tables over them: a table with a primary key and a watermark, and
  // a view keeping the last row per currency (Flink's versioned view); one with a primary key and no watermark.
  `CREATE TABLE rates_log (${RATE_COLUMNS}, WATERMARK FOR rts AS rts - INTERVAL '2' SECOND) ${RATES_OPTIONS}`,
  `CREATE TABLE rates (${RATE_COLUMNS}, WATERMARK FOR rts AS rts - INTERVAL '2' SECOND, PRIMARY KEY (currency) NOT ENFORCED) ${RATES_OPTIONS}`,
  `CREATE TABLE rates_nowm (${RATE_COLUMNS}, PRIMARY KEY (currency) NOT ENFORCED) ${RATES_OPTIONS}`,
  `CREATE VIEW rates_v AS SELECT currency, rate, rts FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY rts DESC) AS rn FROM rates_log) WHERE rn = 1`,
];

/** The DDL of every input table, reading from `dir`. */
export function inputDdl(dir: string): string[] {
  return [T_DDL, EV_DDL, DIM_DDL, ...RATES_DDL].map((d) => d.replaceAll('${dir}', dir));
}

/** Writes the input files into `dir`. */
export function writeInputs(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const lines = (rows: Record<string, Json>[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 't.json'), lines(T_ROWS));
  fs.writeFileSync(path.join(dir, 'ev.json'), lines(eventRows()));
  fs.writeFileSync(path.join(dir, 'dim.json'), lines(DIM_ROWS));
  fs.writeFileSync(path.join(dir, 'rates.json'), lines(rateRows()));
}
