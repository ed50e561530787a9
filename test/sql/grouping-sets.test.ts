// GROUPING SETS, ROLLUP and CUBE: run end to end (fused and unfused) against the grouping sets computed here one by
// one (each set a GROUP BY of its own, the other keys NULL), with GROUPING / GROUPING_ID; the plan (one aggregate
// over the input expanded per set); and what is refused, at its place in the SQL. Final rows against real Flink
// are in test/conformance (family 'grouping-sets').
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { collectBothWays, sortRows, tempDir } from '../helpers/tables.js';
import { compileError, planOf } from './helpers.js';

const ORDERS = Array.from({ length: 500 }, (_, i) => ({ id: i, k: i % 13 === 0 ? null : `k${(i * 7) % 5}`, amount: i % 9 === 0 ? null : (i * 31) % 100 }));
type O = (typeof ORDERS)[number];

function environment(): TableEnvironment {
  const env = TableEnvironment.create();
  const file = path.join(tempDir(), 'orders.json');
  fs.writeFileSync(file, ORDERS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  env.executeSql(`CREATE TABLE orders (id BIGINT, k STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'json')`);
  return env;
}

/** One GROUP BY per set, written out: the rows of a set keep their keys in it and NULL for the others. */
function groupingSets(sets: ('k' | 'big')[][], row: (keys: { k: string | null; big: boolean | null }, rows: O[], set: string[]) => Record<string, unknown>) {
  const out: Record<string, unknown>[] = [];
  for (const set of sets) {
    const groups = new Map<string, O[]>();
    for (const o of ORDERS) {
      const key = JSON.stringify([set.includes('k') ? o.k : null, set.includes('big') ? (o.amount === null ? null : o.amount > 50) : null]);
      groups.set(key, [...(groups.get(key) ?? []), o]);
    }
    for (const [key, rows] of groups) {
      const [k, big] = JSON.parse(key) as [string | null, boolean | null];
      out.push(row({ k, big }, rows, set));
    }
  }
  return sortRows(out);
}

const sum = (rows: O[]) => (rows.some((o) => o.amount !== null) ? rows.reduce((s, o) => s + (o.amount ?? 0), 0) : null);

describe('grouping sets end to end (fused and unfused agree)', { timeout: 60_000 }, () => {
  it('CUBE with GROUPING_ID and GROUPING; aggregates read the key columns, not the rolled-up NULLs', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      'SELECT k, big, COUNT(*) AS c, SUM(amount) AS s, COUNT(k) AS ck, GROUPING_ID(k, big) AS g, GROUPING(big) AS gb FROM (SELECT k, amount > 50 AS big, amount FROM orders) GROUP BY CUBE (k, big)'));
    expect(sortRows(rows)).toEqual(groupingSets([['k', 'big'], ['k'], ['big'], []], ({ k, big }, rs, set) => ({
      k, big, c: rs.length, s: sum(rs), ck: rs.filter((o) => o.k !== null).length,
      g: (set.includes('k') ? 0 : 2) + (set.includes('big') ? 0 : 1), gb: set.includes('big') ? 0 : 1,
    })));
  });

  it('a key beside ROLLUP, and HAVING on GROUPING', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      'SELECT k, big, COUNT(*) AS c FROM (SELECT k, amount > 50 AS big FROM orders) GROUP BY k, ROLLUP (big) HAVING GROUPING(big) = 1 OR COUNT(*) > 40'));
    const all = groupingSets([['k', 'big'], ['k']], ({ k, big }, rs, set) => ({ k, big, c: rs.length, rolled: !set.includes('big') }));
    expect(sortRows(rows)).toEqual(sortRows(all.filter((r) => r.rolled || (r.c as number) > 40).map(({ rolled: _, ...r }) => r)));
  });

  it('GROUPING SETS with expressions as keys, over an updating input', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      'SELECT c % 3 AS m, UPPER(k) AS u, COUNT(*) AS n FROM (SELECT k, COUNT(*) AS c FROM orders GROUP BY k) GROUP BY GROUPING SETS ((c % 3), (UPPER(k)), ())'));
    const counts = new Map<string | null, number>();
    for (const o of ORDERS) counts.set(o.k, (counts.get(o.k) ?? 0) + 1);
    const expected: Record<string, unknown>[] = [];
    const by = (f: (k: string | null, c: number) => unknown, name: 'm' | 'u') => {
      const groups = new Map<unknown, number>();
      for (const [k, c] of counts) groups.set(f(k, c), (groups.get(f(k, c)) ?? 0) + 1);
      for (const [v, n] of groups) expected.push({ m: name === 'm' ? v : null, u: name === 'u' ? v : null, n });
    };
    by((_, c) => c % 3, 'm');
    by((k) => k?.toUpperCase() ?? null, 'u');
    expected.push({ m: null, u: null, n: counts.size });
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });
});

describe('grouping sets in the plan and what is refused', () => {
  it('one aggregate over a union of one projection of the input per set', () => {
    const t = environment().sqlQuery('SELECT k, COUNT(*) AS c FROM orders GROUP BY ROLLUP (k)');
    const nodes = planOf(t);
    expect(nodes.filter((n) => n.kind === 'groupAggregate')).toHaveLength(1);
    expect(nodes.find((n) => n.kind === 'union')).toBeTruthy();
    expect(t.getSchema().map((f) => f.name)).toEqual(['k', 'c']);
  });

  it('GROUPING of what is no key, and GROUPING without GROUP BY', () => {
    const env = environment();
    const notKey = compileError(() => env.sqlQuery('SELECT k, GROUPING(amount) FROM orders GROUP BY ROLLUP (k)'));
    expect(notKey.message).toBe('the argument of GROUPING must be a GROUP BY expression: amount is not one');
    const noGroup = compileError(() => env.sqlQuery('SELECT GROUPING(k) AS g FROM orders'));
    expect(noGroup.message).toBe('GROUPING and GROUPING_ID need a GROUP BY');
  });
});
