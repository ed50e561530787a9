// Subqueries: the semi and anti join operator against a brute-force model over random changelogs (inserts and
// retractions on both sides, NULL keys, duplicates, batch mode); IN / NOT IN / EXISTS / NOT EXISTS and scalar
// subqueries run end to end (fused and unfused) against SQL's semantics written out here (NOT IN null-aware);
// the plan's changelog modes; and what is refused, at its place in the SQL. Final rows against real Flink are in
// test/conformance (family 'subquery').
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataTypes, TableEnvironment } from '../../compiler/api/index.js';
import { OperatorMetrics } from '../../runtime/core/metrics.js';
import type { JoinNode } from '../../runtime/core/plan.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { JoinProcessor } from '../../runtime/exec/join-processor.js';
import type { Processor } from '../../runtime/exec/processors.js';
import { collectBothWays, sortRows, tempDir } from '../helpers/tables.js';
import { compileError, planOf } from './helpers.js';

const S = DataTypes.STRING();

/** A semi or anti join of l (id, k) with r (k, w) on k, the processor fed directly. */
function operator(joinType: 'semi' | 'anti', batch = false) {
  const node: JoinNode = {
    kind: 'join', id: 'j', left: 'l', right: 'r', joinType, leftFields: ['id', 'k'], rightFields: ['k', 'w'],
    leftKeys: ['k'], rightKeys: ['k'], condition: null, changelog: 'retract',
    schema: ['id', 'k', 'k0', 'w'].map((name) => ({ name, type: S })),
  };
  const p = new JoinProcessor(node, [[S], [S]], null, new OperatorMetrics('j', 'join'), { ttlMs: 0, maxParallelism: 128, batch });
  const out: { kind: RowKind; row: string }[] = [];
  const sink: Processor = {
    process: (rows, kinds) => rows.forEach((r, i) => {
      expect(r.k0 ?? null).toBe(null);
      out.push({ kind: kinds?.[i] ?? RowKind.INSERT, row: `${r.id}|${r.k}` });
    }),
    watermark: () => {}, endInput: () => {},
  };
  p.outputs.push(sink);
  return {
    out,
    send: (side: 0 | 1, kind: RowKind, a: string | null, b: string | null) => {
      const row = (side === 0 ? { id: a, k: b } : { k: a, w: b }) as Row;
      p.port(side).process([row], [kind]);
    },
    end: () => { p.port(0).endInput(); p.port(1).endInput(); },
  };
}

/** A changelog applied to a multiset; a retraction of a row that is not there fails the test. */
function applied(changelog: { kind: RowKind; row: string }[]): string[] {
  const rows: string[] = [];
  for (const { kind, row } of changelog) {
    if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) rows.push(row);
    else {
      const at = rows.indexOf(row);
      expect(at, `retracted ${row}, which was not sent`).toBeGreaterThanOrEqual(0);
      rows.splice(at, 1);
    }
  }
  return rows.sort();
}

describe('semi and anti joins (Flink\'s StreamingSemiAntiJoinOperator)', () => {
  it('a left row goes out while it has a match (semi) or none (anti), its kind kept', () => {
    const [I, D, UB, UA] = [RowKind.INSERT, RowKind.DELETE, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER];
    const semi = operator('semi');
    semi.send(0, I, '1', 'a');
    semi.send(1, I, 'a', 'x');
    semi.send(1, I, 'a', 'y');
    semi.send(0, UB, '1', 'a');
    semi.send(0, UA, '1', 'a');
    semi.send(1, D, 'a', 'x');
    semi.send(1, D, 'a', 'y');
    expect(semi.out.map((o) => `${o.kind}:${o.row}`)).toEqual([`${I}:1|a`, `${UB}:1|a`, `${UA}:1|a`, `${D}:1|a`]);
    const anti = operator('anti');
    anti.send(0, I, '1', 'a');
    anti.send(0, I, '2', null);
    anti.send(1, I, 'a', 'x');
    anti.send(1, I, null, 'z');
    anti.send(1, D, 'a', 'x');
    expect(anti.out.map((o) => `${o.kind}:${o.row}`)).toEqual([`${I}:1|a`, `${I}:2|null`, `${D}:1|a`, `${I}:1|a`]);
  });

  for (const joinType of ['semi', 'anti'] as const) {
    for (const batch of [false, true]) {
      it(`${joinType}${batch ? ' (batch)' : ''}: random inputs end in the rows SQL's semantics give`, () => {
        let seed = joinType === 'semi' ? 7 : 11;
        const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
        const keys = ['a', 'b', 'c', null];
        const op = operator(joinType, batch);
        const left: [string, string | null][] = [];
        const right: [string | null, string][] = [];
        for (let step = 0; step < 600; step++) {
          const side = rand(2) as 0 | 1;
          // A batch has insert-only inputs; a stream retracts rows it sent.
          const retract = !batch && rand(3) === 0;
          if (side === 0) {
            if (retract && left.length) { const [id, k] = left.splice(rand(left.length), 1)[0]; op.send(0, RowKind.DELETE, id, k); }
            else { const r: [string, string | null] = [String(rand(20)), keys[rand(4)]]; left.push(r); op.send(0, RowKind.INSERT, ...r); }
          } else if (retract && right.length) { const [k, w] = right.splice(rand(right.length), 1)[0]; op.send(1, RowKind.DELETE, k, w); }
          else { const r: [string | null, string] = [keys[rand(4)], String(rand(5))]; right.push(r); op.send(1, RowKind.INSERT, ...r); }
        }
        op.end();
        const matched = (k: string | null) => k !== null && right.some(([rk]) => rk === k);
        const expected = left.filter(([, k]) => matched(k) === (joinType === 'semi')).map(([id, k]) => `${id}|${k}`).sort();
        expect(applied(op.out)).toEqual(expected);
        if (batch) expect(op.out.every((o) => o.kind === RowKind.INSERT)).toBe(true);
      });
    }
  }
});

const ORDERS = Array.from({ length: 400 }, (_, i) => ({ id: i, k: i % 11 === 0 ? null : `k${(i * 7) % 13}`, amount: (i * 31) % 100 }));
const DIM = [...Array.from({ length: 8 }, (_, i) => ({ k: `k${i}`, name: `name${i}`, lim: i * 10 })), { k: 'k3', name: 'second k3', lim: 50 }, { k: null, name: 'null', lim: 0 }];

function environment(dim = DIM): TableEnvironment {
  const env = TableEnvironment.create();
  const lines = (rows: object[]) => {
    const file = path.join(tempDir(), 'input.json');
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return file;
  };
  env.executeSql(`CREATE TABLE orders (id BIGINT, k STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${lines(ORDERS)}', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE dim (k STRING, name STRING, lim INT) WITH ('connector' = 'filesystem', 'path' = '${lines(dim)}', 'format' = 'json')`);
  return env;
}

type O = (typeof ORDERS)[number];
const ids = (pred: (o: O) => boolean) => sortRows(ORDERS.filter(pred).map((o) => ({ id: o.id })));

describe('subqueries end to end (fused and unfused agree)', { timeout: 60_000 }, () => {
  it('IN and NOT IN: NOT IN is unknown for a NULL on either side', async () => {
    const keys = DIM.map((d) => d.k);
    const inRows = await collectBothWays(() => environment().sqlQuery('SELECT id FROM orders WHERE k IN (SELECT k FROM dim) AND amount > 20'));
    expect(sortRows(inRows)).toEqual(ids((o) => o.k !== null && keys.includes(o.k) && o.amount > 20));
    // dim has a NULL k: no row is TRUE for NOT IN.
    const notIn = await collectBothWays(() => environment().sqlQuery('SELECT id FROM orders WHERE k NOT IN (SELECT k FROM dim)'));
    expect(notIn).toEqual([]);
    const notInNonNull = await collectBothWays(() => environment().sqlQuery('SELECT id FROM orders WHERE k NOT IN (SELECT k FROM dim WHERE k IS NOT NULL)'));
    expect(sortRows(notInNonNull)).toEqual(ids((o) => o.k !== null && !keys.includes(o.k)));
    // An empty subquery: NOT IN holds for every row, NULL keys too.
    const empty = await collectBothWays(() => environment().sqlQuery('SELECT id FROM orders WHERE k NOT IN (SELECT k FROM dim WHERE lim > 1000)'));
    expect(sortRows(empty)).toEqual(ids(() => true));
  });

  it('EXISTS and NOT EXISTS, correlated by an equality and a condition beyond it', async () => {
    const match = (o: O) => DIM.some((d) => d.k !== null && d.k === o.k && o.amount > d.lim);
    const exists = await collectBothWays(() => environment().sqlQuery('SELECT id FROM orders o WHERE EXISTS (SELECT * FROM dim d WHERE d.k = o.k AND o.amount > d.lim)'));
    expect(sortRows(exists)).toEqual(ids(match));
    const notExists = await collectBothWays(() => environment().sqlQuery('SELECT id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM dim WHERE dim.k = o.k AND o.amount > dim.lim)'));
    expect(sortRows(notExists)).toEqual(ids((o) => !match(o)));
  });

  it('an IN over an aggregate (an updating subquery) and values computed on both sides', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery('SELECT id FROM orders WHERE amount + 1 IN (SELECT MAX(amount) + 1 FROM orders GROUP BY k)'));
    const maxima = new Map<string | null, number>();
    for (const o of ORDERS) maxima.set(o.k, Math.max(maxima.get(o.k) ?? -1, o.amount));
    expect(sortRows(rows)).toEqual(ids((o) => [...maxima.values()].includes(o.amount)));
  });

  it('scalar subqueries: a column joined to every row, NULL while the subquery has no row', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery('SELECT id, amount - (SELECT MIN(lim) + 5 FROM dim WHERE lim > 0) AS x FROM orders WHERE id < 5'));
    expect(sortRows(rows)).toEqual(sortRows(ORDERS.filter((o) => o.id < 5).map((o) => ({ id: o.id, x: o.amount - 15 }))));
    const none = await collectBothWays(() => environment().sqlQuery('SELECT id, (SELECT MAX(lim) FROM dim WHERE lim > 1000) AS m FROM orders WHERE id < 3'));
    expect(sortRows(none)).toEqual([0, 1, 2].map((id) => ({ id, m: null })));
    const where = await collectBothWays(() => environment().sqlQuery('SELECT * FROM orders WHERE amount > (SELECT AVG(amount) FROM orders) + 40'));
    const avg = Math.trunc(ORDERS.reduce((s, o) => s + o.amount, 0) / ORDERS.length);
    expect(sortRows(where)).toEqual(sortRows(ORDERS.filter((o) => o.amount > avg + 40)));
  });
});

describe('subqueries in the plan and what is refused', () => {
  it('a semi join of append-only inputs appends; an anti join retracts (as Flink\'s)', () => {
    const semi = environment().sqlQuery('SELECT id FROM orders WHERE k IN (SELECT k FROM dim)');
    const join = planOf(semi).find((n) => n.kind === 'join') as JoinNode;
    expect([join.joinType, join.changelog]).toEqual(['semi', 'insert-only']);
    expect(semi.node.changelog).toBe('insert-only');
    // The equality is the join's key: both inputs are exchanged by it.
    expect(semi.explain()).toMatch(/Join\(joinType=\[LeftSemiJoin\], where=\[\(k = k0\)\][^\n]*\n\s*\+- \[[^\]]+\] Exchange\(distribution=\[hash\[k\]\]\)/);
    const anti = environment().sqlQuery('SELECT id FROM orders o WHERE NOT EXISTS (SELECT * FROM dim d WHERE d.k = o.k)');
    expect(anti.node.changelog).toBe('retract');
    expect(anti.explain()).toMatch(/joinType=\[LeftAntiJoin\]/);
  });

  it('a subquery inside OR, a scalar subquery of many rows, an IN subquery of two columns', () => {
    const env = environment();
    const or = compileError(() => env.sqlQuery('SELECT id FROM orders WHERE k IN (SELECT k FROM dim) OR amount > 5'));
    expect(or.message).toBe('IN (subquery) here is not supported');
    expect(or.hint).toMatch(/joined by AND/);
    const many = compileError(() => env.sqlQuery('SELECT id, (SELECT lim FROM dim) FROM orders'));
    expect(many.message).toBe('a scalar subquery that may have more than one row is not supported');
    const two = compileError(() => env.sqlQuery('SELECT id FROM orders WHERE k IN (SELECT k, name FROM dim)'));
    expect(two.message).toBe('the subquery of IN selects 2 columns; it must select one column');
  });
});
