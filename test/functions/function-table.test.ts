// The built-in function table (runtime/core/builtins.ts): every name resolves to its entry, Table API names
// exist on the API, explain prints each entry, and calendar arithmetic (TIMESTAMPADD, `+ INTERVAL`) with
// MONTH/QUARTER/YEAR clamps to the month's end as Flink does (java.time plusMonths), fused and unfused.
import { describe, expect, it } from 'vitest';
import * as api from 'sluice';
import { $, DataTypes, TableEnvironment, lit } from 'sluice';
import { BUILTINS, builtinName, type BuiltinDef, type BuiltinName } from '../../runtime/core/builtins.js';
import { TIME_UNITS, addUnits, floorTime, ceilTime } from '../../runtime/core/time-units.js';
import { formatTimestamp, parseTimestamp } from '../../runtime/core/values.js';
import { collectBothWays, registerCsv, sortRows, writeCsv } from '../helpers/tables.js';

const entries = Object.entries(BUILTINS) as [BuiltinName, BuiltinDef][];

describe('the function table', () => {
  it('every SQL and Table API name resolves to its own entry, and no name is claimed twice', () => {
    const seen = new Map<string, BuiltinName>();
    for (const [name, def] of entries) {
      for (const n of [name, ...def.sql, ...def.api]) {
        expect(builtinName(n), n).toBe(name);
        const other = seen.get(n.toLowerCase());
        if (other && other !== name) expect.fail(`${n} is claimed by ${other} and ${name}`);
        seen.set(n.toLowerCase(), name);
      }
    }
  });

  it('every Table API name is an Expression method or an exported function of the API', () => {
    const methods = new Set(Object.getOwnPropertyNames(api.Expression.prototype));
    for (const [, def] of entries) for (const n of def.api) expect(methods.has(n) || typeof (api as Record<string, unknown>)[n] === 'function', n).toBe(true);
  });
});

// An independent month addition: the target month's length from the day before the 1st of the next month.
function plusMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const length = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d.getUTCDate(), length), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

describe('calendar arithmetic', () => {
  it('matches answers Flink 2.3 gave for month ends and leap days', () => {
    // PyFlink 2.3.0: TIMESTAMPADD(MONTH, 1, TIMESTAMP '2024-01-31 10:00:00') = 2024-02-29T10:00,
    // TIMESTAMP '2024-01-31 10:00:00' + INTERVAL '1' MONTH = 2024-02-29T10:00, TIMESTAMPADD(YEAR, 1, '2024-02-29 10:00:00') = 2025-02-28T10:00.
    const at = (s: string) => parseTimestamp(s)!;
    expect(formatTimestamp(addUnits(at('2024-01-31 10:00:00'), 'MONTH', 1), 0)).toBe('2024-02-29 10:00:00');
    expect(formatTimestamp(addUnits(at('2024-02-29 10:00:00'), 'YEAR', 1), 0)).toBe('2025-02-28 10:00:00');
  });

  it('agrees with an independent plusMonths on every day of four years, for each calendar unit and signs', () => {
    for (let ms = Date.UTC(2023, 0, 1, 13, 5, 7, 9); ms < Date.UTC(2027, 0, 1); ms += 86_400_000) {
      for (const unit of ['MONTH', 'QUARTER', 'YEAR'] as const) {
        for (const n of [-13, -1, 1, 2, 5]) expect(addUnits(ms, unit, n)).toBe(plusMonths(ms, n * (TIME_UNITS[unit] as { months: number }).months));
      }
      expect(addUnits(ms, 'WEEK', -2)).toBe(ms - 14 * 86_400_000);
    }
  });

  it('CEIL to a calendar unit is the next period start', () => {
    const ms = Date.UTC(2024, 10, 15, 3);
    expect(ceilTime(ms, 'QUARTER')).toBe(Date.UTC(2025, 0, 1));
    expect(ceilTime(ms, 'MONTH')).toBe(Date.UTC(2024, 11, 1));
    expect(floorTime(ms, 'YEAR')).toBe(Date.UTC(2024, 0, 1));
  });

  it('TIMESTAMPADD and + INTERVAL with WEEK, MONTH, QUARTER, YEAR in SQL and the Table API, fused and unfused', async () => {
    const days = Array.from({ length: 120 }, (_, i) => Date.UTC(2023, 11, 20, 6, 30) + i * 3 * 86_400_000);
    const file = writeCsv(days.map((ms, i) => [i, new Date(ms)]));
    const make = () => {
      const env = TableEnvironment.create();
      registerCsv(env, { name: 'd', file, columns: [['id', DataTypes.INT()], ['ts', DataTypes.TIMESTAMP(3)]] });
      return env;
    };
    const sql = await collectBothWays(() => make().sqlQuery(`SELECT id, TIMESTAMPADD(MONTH, 1, ts) AS m1, TIMESTAMPADD(QUARTER, -1, ts) AS q,
        TIMESTAMPADD(YEAR, 1, ts) AS y, TIMESTAMPADD(WEEK, 2, ts) AS w, ts + INTERVAL '1' MONTH AS pm, ts - INTERVAL '2' YEAR AS my,
        ts + INTERVAL '1' DAY AS pd FROM d`));
    const table = await collectBothWays(() => make().from('d').select($('id'), $('ts').plus(lit(3).months()).as('m3'), $('ts').minus(lit(1).weeks()).as('w')));
    const exp = days.map((ms, id) => ({
      id, m1: plusMonths(ms, 1), q: plusMonths(ms, -3), y: plusMonths(ms, 12), w: ms + 14 * 86_400_000,
      pm: plusMonths(ms, 1), my: plusMonths(ms, -24), pd: ms + 86_400_000,
    }));
    expect(sortRows(sql)).toEqual(sortRows(exp));
    expect(sortRows(table)).toEqual(sortRows(days.map((ms, id) => ({ id, m3: plusMonths(ms, 3), w: ms - 7 * 86_400_000 }))));
  });
});

// The interpreter calls the operators' type-specialised implementations (Evaluation.direct); generated code
// inlines them. Both against Java's arithmetic: INT wraps at 32 bits (also -2147483648 / -1), integer division
// truncates, and an integer division by zero fails the job.
describe('arithmetic operators, fused and unfused', () => {
  const values = [[7, 3, 2.5], [-7, 2, -0.5], [2_000_000_000, 2, 4], [-2_147_483_648, -1, 1e300], [46_341, 46_341, 3]];
  const make = (rows: unknown[][]) => {
    const env = TableEnvironment.create();
    registerCsv(env, { name: 'n', file: writeCsv(rows), columns: [['i', DataTypes.INT()], ['j', DataTypes.INT()], ['d', DataTypes.DOUBLE()]] });
    return env;
  };

  it('INT wraps, BIGINT and DOUBLE do not, integer division truncates toward zero', async () => {
    const rows = await collectBothWays(() => make(values).sqlQuery(
      `SELECT i, j, i + j AS s, i - j AS m, i * j AS p, i / j AS q, CAST(i AS BIGINT) * j AS bp, CAST(i AS BIGINT) + j AS bs,
              i / d AS dq, d * j AS dp, d - i AS dm FROM n`));
    const exp = values.map(([i, j, d]) => ({
      i, j, s: (i + j) | 0, m: (i - j) | 0, p: Math.imul(i, j), q: Math.trunc(i / j) | 0, bp: i * j, bs: i + j, dq: i / d, dp: d * j, dm: d - i,
    }));
    expect(sortRows(rows)).toEqual(sortRows(exp));
  });

  // A literal divisor other than 0 is emitted without the run-time zero check; the results must not change.
  it('division and MOD by literals, including 0 and a BIGINT operand', async () => {
    const rows = await collectBothWays(() => make(values).sqlQuery(
      `SELECT i, i / 1000 AS k, i / 7 AS s, MOD(i, 3) AS r, CAST(i AS BIGINT) * 908 / 1000 AS c, MOD(CAST(i AS BIGINT), 1000) AS cm, d / 2 AS h FROM n`));
    const exp = values.map(([i, , d]) => ({
      i, k: Math.trunc(i / 1000) | 0, s: Math.trunc(i / 7) | 0, r: i % 3, c: Math.trunc((i * 908) / 1000), cm: i % 1000, h: d / 2,
    }));
    expect(sortRows(rows)).toEqual(sortRows(exp));
    await expect(collectBothWays(() => make(values).sqlQuery('SELECT i / 0 AS q FROM n'))).rejects.toThrow(/by zero/i);
    await expect(collectBothWays(() => make(values).sqlQuery('SELECT MOD(i, 0) AS q FROM n'))).rejects.toThrow(/by zero/i);
  });

  it('an integer division by zero fails the job both ways; a DOUBLE one is Infinity', async () => {
    const env = () => make([[5, 0, 0]]);
    await expect(collectBothWays(() => env().sqlQuery('SELECT i / j AS q FROM n'))).rejects.toThrow(/by zero/i);
    process.env.SLUICE_UNFUSED = '1';
    try {
      await expect(env().sqlQuery('SELECT i / j AS q FROM n').execute().collect()).rejects.toThrow(/by zero/i);
      expect(await env().sqlQuery('SELECT d / j AS q, i / d AS r FROM n').execute().collect()).toEqual([{ q: NaN, r: Infinity }]);
    } finally {
      delete process.env.SLUICE_UNFUSED;
    }
  });
});
