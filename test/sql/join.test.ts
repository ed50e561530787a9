// Regular joins: the operator's changelog step by step as Flink's StreamingJoinOperator emits it (sequences from
// Flink's own StreamingJoinOperatorTest, on retract-complete inputs), state TTL, snapshot and restore; the plan
// SQL and the Table API build (keys, pushed filters, names); and joins run end to end against a nested-loop join
// written here, fused and unfused. Final rows against real Flink are in test/conformance.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import { $, DataTypes, TableEnvironment } from '../../compiler/api/index.js';
import { optimize } from '../../compiler/passes/index.js';
import { joinStateWarnings } from '../../compiler/passes/join-state-warnings.js';
import { OperatorMetrics } from '../../runtime/core/metrics.js';
import type { JoinNode, JoinType } from '../../runtime/core/plan.js';
import { ROW_KIND_SHORT, RowKind, type Row } from '../../runtime/core/row.js';
import { JoinProcessor } from '../../runtime/exec/join-processor.js';
import type { Processor } from '../../runtime/exec/processors.js';
import { collectBothWays, sortRows, tempDir } from '../helpers/tables.js';
import { formatTimestamp } from '../../runtime/core/values.js';
import { compileError } from './helpers.js';

const S = DataTypes.STRING();

/** orders (order_id, line_order_id, addr) JOIN line_orders (line_order_id, mode) ON line_order_id, as in Flink's test. */
function harness(joinType: JoinType, ttlMs = 0, insertOnly?: [boolean, boolean], condition: ((row: Row) => unknown) | null = null) {
  const node: JoinNode = {
    kind: 'join', id: 'j', left: 'l', right: 'r', joinType, leftFields: ['order_id', 'line_order_id', 'addr'], rightFields: ['line_order_id', 'mode'],
    leftKeys: ['line_order_id'], rightKeys: ['line_order_id'], condition: null, changelog: 'retract',
    schema: ['order_id', 'line_order_id', 'addr', 'line_order_id0', 'mode'].map((name) => ({ name, type: S })),
  };
  const clock = { now: 1 };
  const make = () => new JoinProcessor(node, [[S], [S]], condition, new OperatorMetrics('j', 'join'), { ttlMs, maxParallelism: 128, now: () => clock.now, insertOnly });
  let p = make();
  const out: string[] = [];
  const sink: Processor = {
    process: (rows, kinds) => rows.forEach((r, i) => out.push(`${ROW_KIND_SHORT[kinds?.[i] ?? RowKind.INSERT]}[${Object.values(r).join(', ')}]`)),
    watermark: () => {}, endInput: () => {},
  };
  p.outputs.push(sink);
  const send = (side: 0 | 1, kind: RowKind, ...values: string[]): string[] => {
    const fields = side === 0 ? node.leftFields : node.rightFields;
    p.port(side).process([Object.fromEntries(fields.map((f, i) => [f, values[i] ?? null])) as Row], [kind]);
    return out.splice(0);
  };
  return {
    clock,
    left: (kind: RowKind, ...v: string[]) => send(0, kind, ...v),
    right: (kind: RowKind, ...v: string[]) => send(1, kind, ...v),
    sizes: () => p.stateSize(),
    /** Snapshot, then continue on a new operator restored from it (a restart). */
    restart: () => { const snap = JSON.parse(JSON.stringify(p.snapshot())); p = make(); p.outputs.push(sink); p.restore(snap); },
  };
}

const [I, UB, UA, D] = [RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE];
const ADDR = '3 Bellevue Drive';

describe('the join operator emits Flink\'s changelog', () => {
  it('inner join: matches out with the input\'s kind, updates as -U/+U pairs, deletes', () => {
    const h = harness('inner');
    expect(h.left(I, 'Ord#1', 'LineOrd#1', ADDR)).toEqual([]);
    expect(h.left(I, 'Ord#1', 'LineOrd#2', ADDR)).toEqual([]);
    expect(h.right(I, 'LineOrd#2', 'AIR')).toEqual([`+I[Ord#1, LineOrd#2, ${ADDR}, LineOrd#2, AIR]`]);
    expect(h.left(UB, 'Ord#1', 'LineOrd#2', ADDR)).toEqual([`-U[Ord#1, LineOrd#2, ${ADDR}, LineOrd#2, AIR]`]);
    expect(h.left(UA, 'Ord#1', 'LineOrd#2', 'Honolulu')).toEqual(['+U[Ord#1, LineOrd#2, Honolulu, LineOrd#2, AIR]']);
    expect(h.right(I, 'LineOrd#1', 'TRUCK')).toEqual([`+I[Ord#1, LineOrd#1, ${ADDR}, LineOrd#1, TRUCK]`]);
    expect(h.right(D, 'LineOrd#2', 'AIR')).toEqual(['-D[Ord#1, LineOrd#2, Honolulu, LineOrd#2, AIR]']);
    expect(h.right(I, 'LineOrd#2', 'RAIL')).toEqual(['+I[Ord#1, LineOrd#2, Honolulu, LineOrd#2, RAIL]']);
    expect(h.sizes()).toEqual([2, 2]);
  });

  it('left outer join: padded rows go out, are deleted when a match comes and come back when it goes', () => {
    const h = harness('left');
    expect(h.left(I, 'Ord#1', 'LineOrd#1', ADDR)).toEqual([`+I[Ord#1, LineOrd#1, ${ADDR}, , ]`]);
    expect(h.left(I, 'Ord#1', 'LineOrd#2', ADDR)).toEqual([`+I[Ord#1, LineOrd#2, ${ADDR}, , ]`]);
    expect(h.right(I, 'LineOrd#2', 'AIR')).toEqual([`-D[Ord#1, LineOrd#2, ${ADDR}, , ]`, `+I[Ord#1, LineOrd#2, ${ADDR}, LineOrd#2, AIR]`]);
    // A second match: no padding to take back; the outer side sends inserts whatever the input's kind.
    expect(h.right(UA, 'LineOrd#2', 'SHIP')).toEqual([`+I[Ord#1, LineOrd#2, ${ADDR}, LineOrd#2, SHIP]`]);
    expect(h.right(UB, 'LineOrd#2', 'AIR')).toEqual([`-U[Ord#1, LineOrd#2, ${ADDR}, LineOrd#2, AIR]`]);
    expect(h.right(D, 'LineOrd#2', 'SHIP')).toEqual([`-D[Ord#1, LineOrd#2, ${ADDR}, LineOrd#2, SHIP]`, `+I[Ord#1, LineOrd#2, ${ADDR}, , ]`]);
    // Retracting an outer row: -D of its padded row, or of each joined row.
    expect(h.left(D, 'Ord#1', 'LineOrd#2', ADDR)).toEqual([`-D[Ord#1, LineOrd#2, ${ADDR}, , ]`]);
    expect(h.right(I, 'LineOrd#1', 'TRUCK')).toEqual([`-D[Ord#1, LineOrd#1, ${ADDR}, , ]`, `+I[Ord#1, LineOrd#1, ${ADDR}, LineOrd#1, TRUCK]`]);
    expect(h.left(UB, 'Ord#1', 'LineOrd#1', ADDR)).toEqual([`-D[Ord#1, LineOrd#1, ${ADDR}, LineOrd#1, TRUCK]`]);
    expect(h.sizes()).toEqual([0, 1]);
  });

  it('full outer join: both sides padded; a NULL key never matches', () => {
    const h = harness('full');
    expect(h.right(I, 'LineOrd#2', 'AIR')).toEqual([', , , LineOrd#2, AIR'].map((r) => `+I[${r}]`));
    expect(h.left(I, 'Ord#1', 'LineOrd#2', ADDR)).toEqual([`-D[, , , LineOrd#2, AIR]`, `+I[Ord#1, LineOrd#2, ${ADDR}, LineOrd#2, AIR]`]);
    expect(h.left(D, 'Ord#1', 'LineOrd#2', ADDR)).toEqual([`-D[Ord#1, LineOrd#2, ${ADDR}, LineOrd#2, AIR]`, '+I[, , , LineOrd#2, AIR]']);
    expect(h.left(I, 'Ord#9')).toEqual(['+I[Ord#9, , , , ]']);
    expect(h.right(I, undefined as unknown as string, 'X')).toEqual(['+I[, , , , X]']);
    expect(h.left(D, 'Ord#9')).toEqual(['-D[Ord#9, , , , ]']);
  });

  it('duplicate rows are counted: each copy joins and is padded', () => {
    const h = harness('left');
    h.left(I, 'Ord#1', 'L', ADDR);
    expect(h.left(I, 'Ord#1', 'L', ADDR)).toEqual([`+I[Ord#1, L, ${ADDR}, , ]`]);
    expect(h.right(I, 'L', 'AIR')).toEqual([`-D[Ord#1, L, ${ADDR}, , ]`, `-D[Ord#1, L, ${ADDR}, , ]`, `+I[Ord#1, L, ${ADDR}, L, AIR]`, `+I[Ord#1, L, ${ADDR}, L, AIR]`]);
    expect(h.sizes()).toEqual([2, 1]);
  });

  it('insert-only inputs keep their rows in arrival order: the changelog of rows kept by content, also after a restore', () => {
    const run = (insertOnly: [boolean, boolean]) => {
      const h = harness('full', 0, insertOnly);
      const out = [...h.left(I, 'Ord#1', 'L', ADDR), ...h.left(I, 'Ord#1', 'L', ADDR), ...h.right(I, 'L', 'AIR'), ...h.left(I, 'Ord#2', 'M', ADDR)];
      h.restart();
      out.push(...h.right(I, 'M', 'SHIP'), ...h.right(I, 'L', 'RAIL'));
      return { out, sizes: h.sizes() };
    };
    const byContent = run([false, false]);
    expect(byContent.out).toEqual([
      `+I[Ord#1, L, ${ADDR}, , ]`, `+I[Ord#1, L, ${ADDR}, , ]`,
      `-D[Ord#1, L, ${ADDR}, , ]`, `-D[Ord#1, L, ${ADDR}, , ]`, `+I[Ord#1, L, ${ADDR}, L, AIR]`, `+I[Ord#1, L, ${ADDR}, L, AIR]`,
      `+I[Ord#2, M, ${ADDR}, , ]`,
      `-D[Ord#2, M, ${ADDR}, , ]`, `+I[Ord#2, M, ${ADDR}, M, SHIP]`,
      `+I[Ord#1, L, ${ADDR}, L, RAIL]`, `+I[Ord#1, L, ${ADDR}, L, RAIL]`,
    ]);
    expect(byContent.sizes).toEqual([3, 3]);
    expect(run([true, true])).toEqual(byContent);
    expect(run([true, false])).toEqual(byContent);
  });

  it.each(['inner', 'left', 'right', 'semi', 'anti'] as JoinType[])('%s join: insert-only sides that count nothing keep flat values, with the changelog of rows kept by content (duplicates, a condition, NULL keys, a restore)', (joinType) => {
    // Rows whose mode is SHIP do not join (the condition beyond the key).
    const run = (insertOnly: [boolean, boolean]) => {
      const h = harness(joinType, 0, insertOnly, (r) => r.mode !== 'SHIP');
      const out = [
        ...h.left(I, 'Ord#1', 'L', ADDR), ...h.left(I, 'Ord#1', 'L', ADDR), ...h.right(I, 'L', 'AIR'), ...h.left(I, 'Ord#2', 'M', ADDR),
        ...h.left(I, 'Ord#9'), ...h.right(I, undefined as unknown as string, 'X'), ...h.right(I, 'M', 'SHIP'),
      ];
      h.restart();
      out.push(...h.right(I, 'M', 'RAIL'), ...h.right(I, 'L', 'RAIL'), ...h.left(I, 'Ord#3', 'L', 'Honolulu'), ...h.right(I, 'L', 'SHIP'));
      return { out, sizes: h.sizes() };
    };
    const byContent = run([false, false]);
    if (joinType === 'inner') {
      expect(byContent.out).toEqual([
        `+I[Ord#1, L, ${ADDR}, L, AIR]`, `+I[Ord#1, L, ${ADDR}, L, AIR]`,
        `+I[Ord#2, M, ${ADDR}, M, RAIL]`, `+I[Ord#1, L, ${ADDR}, L, RAIL]`, `+I[Ord#1, L, ${ADDR}, L, RAIL]`,
        '+I[Ord#3, L, Honolulu, L, AIR]', '+I[Ord#3, L, Honolulu, L, RAIL]',
      ]);
      expect(byContent.sizes).toEqual([4, 5]);
    }
    expect(run([true, true])).toEqual(byContent);
    expect(run([true, false])).toEqual(byContent);
    expect(run([false, true])).toEqual(byContent);
  });

  it.each([['rows by content', undefined], ['insert-only rows in a list', [true, true] as [boolean, boolean]]])('table.exec.state.ttl: a row is gone once the TTL has passed since it was last written (%s)', (_, insertOnly) => {
    // Flink's testInnerJoinWithSameStateRetentionTime on a retract-complete input (TTL 4000).
    const h = harness('inner', 4000, insertOnly);
    h.left(I, 'Ord#1', 'LineOrd#1', ADDR);
    h.left(I, 'Ord#1', 'LineOrd#2', ADDR);
    expect(h.right(I, 'LineOrd#2', 'AIR')).toHaveLength(1);
    h.clock.now = 4000;
    expect(h.left(I, 'Ord#2', 'LineOrd#2', 'Honolulu')).toEqual(['+I[Ord#2, LineOrd#2, Honolulu, LineOrd#2, AIR]']);
    h.clock.now = 4001; // LineOrd#1 (written at 1) has expired, so has AIR
    expect(h.right(I, 'LineOrd#1', 'TRUCK')).toEqual([]);
    expect(h.right(I, 'LineOrd#2', 'SHIP')).toEqual(['+I[Ord#2, LineOrd#2, Honolulu, LineOrd#2, SHIP]']);
    h.clock.now = 8001;
    expect(h.right(I, 'LineOrd#2', 'RAIL')).toEqual([]);
    // The sweep (once per TTL) has dropped everything written at 4001 or before (expiry is written + TTL <= now).
    expect(h.sizes()).toEqual([0, 1]);
  });

  it('state survives a snapshot and restore (associations included)', () => {
    const h = harness('left');
    h.left(I, 'Ord#1', 'L1', ADDR);
    h.left(I, 'Ord#2', 'L2', ADDR);
    h.right(I, 'L2', 'AIR');
    h.restart();
    expect(h.sizes()).toEqual([2, 1]);
    expect(h.right(D, 'L2', 'AIR')).toEqual([`-D[Ord#2, L2, ${ADDR}, L2, AIR]`, `+I[Ord#2, L2, ${ADDR}, , ]`]);
    expect(h.right(I, 'L1', 'SHIP')).toEqual([`-D[Ord#1, L1, ${ADDR}, , ]`, `+I[Ord#1, L1, ${ADDR}, L1, SHIP]`]);
  });
});

function environment(): TableEnvironment {
  const env = TableEnvironment.create();
  env.executeSql(`CREATE TABLE orders (id BIGINT, k STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${jsonLines(ORDERS.map((o) => ({ ...o, ts: formatTimestamp(o.ts, 3) })))}', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE dim (k STRING, name STRING, lim INT) WITH ('connector' = 'filesystem', 'path' = '${jsonLines(DIM)}', 'format' = 'json')`);
  return env;
}

const ORDERS = Array.from({ length: 3000 }, (_, i) => ({ id: i, k: i % 11 === 0 ? null : `k${(i * 7) % 13}`, amount: (i * 31) % 100, ts: Date.UTC(2026, 0, 1) + i * 10 }));
const DIM = [...Array.from({ length: 10 }, (_, i) => ({ k: `k${i}`, name: `name${i}`, lim: i * 10 })), { k: 'k3', name: 'second k3', lim: 50 }, { k: null, name: 'null', lim: 0 }];

/** JSON lines (CSV cannot tell a NULL string from an empty one). */
function jsonLines(rows: object[]): string {
  const file = path.join(tempDir(), 'input.json');
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

type O = (typeof ORDERS)[number];
type Dm = (typeof DIM)[number];

/** The join computed with nested loops: SQL's semantics written out (NULL keys never equal). */
function nestedLoop(type: JoinType, on: (o: O, d: Dm) => boolean, out: (o: O | null, d: Dm | null) => Record<string, unknown>) {
  const rows: Record<string, unknown>[] = [];
  const usedDim = new Set<Dm>();
  for (const o of ORDERS) {
    const ms = DIM.filter((d) => o.k !== null && d.k !== null && o.k === d.k && on(o, d));
    ms.forEach((d) => { rows.push(out(o, d)); usedDim.add(d); });
    if (ms.length === 0 && (type === 'left' || type === 'full')) rows.push(out(o, null));
  }
  if (type === 'right' || type === 'full') for (const d of DIM) if (!usedDim.has(d)) rows.push(out(null, d));
  return sortRows(rows);
}

describe('joins end to end (fused and unfused agree)', { timeout: 60_000 }, () => {
  it('SQL LEFT JOIN with a condition beyond the key', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      'SELECT o.id, o.k, d.name, d.k AS dk FROM orders o LEFT JOIN dim d ON o.k = d.k AND o.amount < d.lim'));
    expect(sortRows(rows)).toEqual(nestedLoop('left', (o, d) => o.amount < d.lim, (o, d) => ({ id: o!.id, k: o!.k, name: d?.name ?? null, dk: d?.k ?? null })));
  });

  it('SQL FULL OUTER JOIN and a comma join with WHERE', async () => {
    const full = await collectBothWays(() => environment().sqlQuery('SELECT o.id, d.name FROM (SELECT * FROM orders WHERE id < 40) o FULL JOIN dim d ON o.k = d.k'));
    const few = ORDERS.filter((o) => o.id < 40);
    const expected: Record<string, unknown>[] = [];
    for (const o of few) { const ms = DIM.filter((d) => d.k !== null && d.k === o.k); if (ms.length === 0) expected.push({ id: o.id, name: null }); ms.forEach((d) => expected.push({ id: o.id, name: d.name })); }
    for (const d of DIM) if (!few.some((o) => o.k !== null && o.k === d.k)) expected.push({ id: null, name: d.name });
    expect(sortRows(full)).toEqual(sortRows(expected));
    const comma = await collectBothWays(() => environment().sqlQuery('SELECT o.id, d.name FROM orders o, dim d WHERE o.k = d.k AND d.lim > 20 AND o.amount > 90'));
    expect(sortRows(comma)).toEqual(nestedLoop('inner', (o, d) => d.lim > 20 && o.amount > 90, (o, d) => ({ id: o!.id, name: d!.name })));
  });

  it('Table API: join(...).where(...), leftOuterJoin, rightOuterJoin', async () => {
    const dim = (env: TableEnvironment) => env.from('dim').renameColumns($('k').as('dk'));
    const inner = await collectBothWays(() => { const env = environment(); return env.from('orders').join(dim(env)).where($('k').isEqual($('dk'))).select($('id'), $('name')); });
    expect(sortRows(inner)).toEqual(nestedLoop('inner', () => true, (o, d) => ({ id: o!.id, name: d!.name })));
    const right = await collectBothWays(() => { const env = environment(); return env.from('orders').where($('id').isLess(30)).rightOuterJoin(dim(env), $('k').isEqual($('dk'))).select($('id'), $('name')); });
    const few = ORDERS.filter((o) => o.id < 30);
    const expected = DIM.flatMap((d): Record<string, unknown>[] => { const ms = few.filter((o) => o.k !== null && o.k === d.k); return ms.length ? ms.map((o) => ({ id: o.id, name: d.name })) : [{ id: null, name: d.name }]; });
    expect(sortRows(right)).toEqual(sortRows(expected));
  });

  it('the calcs reading a join run in its output: a filter and expressions over padded rows', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      "SELECT o.id, COALESCE(d.name, 'none') AS name, o.amount + COALESCE(d.lim, 0) AS total FROM orders o LEFT JOIN dim d ON o.k = d.k " +
      "WHERE COALESCE(d.name, 'none') <> 'name3' AND o.id < 500"));
    const expected = nestedLoop('left', () => true, (o, d) => ({ id: o!.id, name: d?.name ?? 'none', total: o!.amount + (d?.lim ?? 0) }))
      .filter((r) => r.name !== 'name3' && (r.id as number) < 500);
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });

  it('a join of an updating input (an aggregate) keeps up with its updates', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      'SELECT c.k, c.n, d.name FROM (SELECT k, COUNT(*) AS n FROM orders GROUP BY k) c JOIN dim d ON c.k = d.k'));
    const counts = new Map<string | null, number>();
    for (const o of ORDERS) counts.set(o.k, (counts.get(o.k) ?? 0) + 1);
    const expected = DIM.filter((d) => d.k !== null && counts.has(d.k)).map((d) => ({ k: d.k, n: counts.get(d.k), name: d.name }));
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });
});

describe('join plans', () => {
  it('keys, filters pushed below the join, the rest as its condition; clashing names numbered', () => {
    const env = environment();
    const t = env.sqlQuery('SELECT * FROM orders o JOIN dim d ON o.k = d.k AND o.amount < d.lim WHERE o.id < 20 AND d.name <> \'x\'');
    expect(t.getSchema().map((f) => f.name)).toEqual(['id', 'k', 'amount', 'ts', 'k0', 'name', 'lim']);
    // A regular join's output has no time attribute (as in Flink).
    expect(t.getSchema()[3].type.timeAttribute).toBeUndefined();
    env.executeSql(`CREATE TABLE joined_out (id BIGINT, k STRING, amount INT, ts TIMESTAMP(3), k0 STRING, name STRING, lim INT) WITH ('connector' = 'blackhole')`);
    t.executeInsert('joined_out');
    const plan = optimize(env.buildPlan('j', []));
    const join = plan.nodes.find((n): n is JoinNode => n.kind === 'join')!;
    expect([join.leftKeys, join.rightKeys]).toEqual([['k'], ['k']]);
    expect(join.changelog).toBe('insert-only');
    const text = t.explain();
    expect(text).toContain('Join(joinType=[InnerJoin], where=[((k = k0) AND (amount < lim))]');
    expect(text).toMatch(/Exchange\(distribution=\[hash\[k\]\]\)\n\s+\+- .*Calc\(select=\[id, k, amount, ts\], where=\[\(id < 20\)\]\)/);
    expect(text).toMatch(/Exchange\(distribution=\[hash\[k\]\]\)\n\s+\+- .*Calc\(select=\[k, name, lim\], where=\[\(name <> 'x'\)\]\)/);
  });

  it('the calcs reading a join alone are its output (FusedNode.joinOutput), unless the join has a condition beyond its keys', () => {
    const fusedInto = (sql: string) => {
      const env = environment();
      env.executeSql("CREATE TABLE out2 (id BIGINT, name STRING) WITH ('connector' = 'blackhole')");
      env.sqlQuery(sql).executeInsert('out2');
      const plan = optimize(env.buildPlan('j', []));
      const join = plan.nodes.find((n): n is JoinNode => n.kind === 'join')!;
      return plan.nodes.some((n) => n.kind === 'fused' && n.joinOutput === join.id);
    };
    expect(fusedInto('SELECT o.id, d.name FROM orders o JOIN dim d ON o.k = d.k')).toBe(true);
    expect(fusedInto('SELECT o.id, d.name FROM orders o LEFT JOIN dim d ON o.k = d.k AND o.amount < d.lim')).toBe(false);
  });

  it('errors: ambiguous and unknown columns, clashing Table API names, outer join without ON', () => {
    const env = environment();
    expect(compileError(() => env.sqlQuery('SELECT k FROM orders o JOIN dim d ON o.k = d.k')).message).toBe("column 'k' is ambiguous: o, d have it");
    expect(compileError(() => env.sqlQuery('SELECT o.nme FROM orders o JOIN dim d ON o.k = d.k')).message).toBe("unknown column 'nme' in table 'o'");
    expect(compileError(() => env.sqlQuery('SELECT * FROM orders o LEFT JOIN dim d')).message).toMatch(/LEFT JOIN needs an ON condition|syntax/);
    const e = compileError(() => env.from('orders').join(env.from('dim')));
    expect(e.message).toBe('both tables of the join have the column(s) k');
    expect(e.loc?.file).toMatch(/join\.test\.ts$/);
  });
});

describe('a join whose state grows forever warns at compile time', () => {
  const plan = (ttl?: string, connector = "'connector' = 'datagen'") => {
    const env = TableEnvironment.create();
    if (ttl) env.getConfig().set('table.exec.state.ttl', ttl);
    env.executeSql(`CREATE TABLE a (k BIGINT, x STRING) WITH (${connector})`);
    env.executeSql(`CREATE TABLE b (k2 BIGINT, y STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`);
    env.executeSql(`CREATE TABLE o (k BIGINT, x STRING, k2 BIGINT, y STRING) WITH ('connector' = 'blackhole')`);
    env.from('a').join(env.from('b'), $('k').isEqual($('k2'))).executeInsert('o');
    return optimize(env.buildPlan('w', []));
  };

  it('names the join\'s place and the unbounded table, with the fix', () => {
    const [w, ...more] = joinStateWarnings(plan());
    expect(more).toEqual([]);
    expect(w.message).toBe("this regular join keeps every row of both inputs in state, and table 'a' is unbounded: without a state TTL the state grows forever");
    expect(w.hint).toMatch(/table\.exec\.state\.ttl/);
    expect(w.loc?.file).toMatch(/join\.test\.ts$/);
    expect(w.format()).toMatch(/join\.test\.ts:\d+:\d+: warning: this regular join/);
  });

  it('no warning with a TTL, or when every input is bounded', () => {
    expect(joinStateWarnings(plan('1 h'))).toEqual([]);
    expect(joinStateWarnings(plan(undefined, "'connector' = 'datagen', 'number-of-rows' = '5'"))).toEqual([]);
  });
});

describe('a join at -p 2: hash exchanges on the join keys bring matching rows to one subtask', { timeout: 180_000 }, () => {
  it.each([1, 2])('-p %i gives the nested-loop join', async (p) => {
    const orders = tempDir();
    for (let f = 0; f < 3; f++) {
      fs.writeFileSync(path.join(orders, `orders-${f}.json`), ORDERS.filter((o) => o.id % 3 === f).map((o) => JSON.stringify({ id: o.id, k: o.k, amount: o.amount })).join('\n') + '\n');
    }
    const out = tempDir();
    const file = path.join(tempDir(), 'job.mjs');
    await compileJob('test/sql/fixtures/join-job.ts', { args: ['--orders', orders, '--dim', jsonLines(DIM), '--out', out], out: file });
    const { job } = (await import(pathToFileURL(file).href)) as { job: CompiledBundle };
    await runCompiled(job, { parallelism: p, bundle: file });
    const rows = fs.readdirSync(out).flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter((l) => l !== '')).sort();
    expect(rows).toEqual(nestedLoop('inner', (o, d) => o.amount < d.lim, (o, d) => ({ line: `${o!.id},${o!.k},${d!.name}` })).map((r) => r.line).sort());
  });
});
