// The Table API's orderBy / offset / fetch / limit (Flink's Table methods) and SQL's OFFSET / FETCH, in batch
// mode against a sort written here (SQL semantics against real Flink: test/conformance, families sort and
// batch), on a stream as Flink's streaming planner takes them (a Top-N of ranks offset+1 .. offset+fetch), and
// Flink's errors: a second fetch, an offset after a fetch, negative counts, an OFFSET without FETCH.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { $, lit, TableEnvironment } from '../../compiler/api/index.js';
import { CompileError } from '../../compiler/ir/diagnostics.js';
import { RowKind } from '../../runtime/core/row.js';
import { sortRows, tempDir } from '../helpers/tables.js';

/** 30 orders; amounts repeat (ties broken by id) and some are NULL (smallest, as Flink orders NULLs). */
const ORDERS = Array.from({ length: 30 }, (_, i) => ({ id: i, k: ['a', 'b', 'c'][i % 3], amount: i % 9 === 4 ? null : (i * 37) % 50 }));
type Order = (typeof ORDERS)[number];

function env(mode: 'batch' | 'streaming'): TableEnvironment {
  const file = path.join(tempDir('sluice-table-sort-'), 'orders.json');
  fs.writeFileSync(file, ORDERS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const tEnv = TableEnvironment.create();
  tEnv.getConfig().set('execution.runtime-mode', mode);
  tEnv.executeSql(`CREATE TABLE orders (id INT, k STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'json')`);
  return tEnv;
}

/** amount ascending, NULLs first; then id. */
const asc = (a: Order, b: Order) => (a.amount === b.amount ? 0 : a.amount === null ? -1 : b.amount === null ? 1 : a.amount - b.amount) || a.id - b.id;
/** amount descending, NULLs last; then id. */
const desc = (a: Order, b: Order) => (a.amount === b.amount ? 0 : a.amount === null ? 1 : b.amount === null ? -1 : b.amount - a.amount) || a.id - b.id;
const pick = (os: Order[]) => os.map((o) => ({ id: o.id, amount: o.amount }));
const sorted = (cmp: (a: Order, b: Order) => number) => pick([...ORDERS].sort(cmp));

const failure = (f: () => unknown) => { try { f(); } catch (e) { return e as CompileError; } throw new Error('no error'); };

describe('Table API orderBy / offset / fetch / limit in batch mode', () => {
  it('orderBy with asc()/desc(): every row in order, inserts only', async () => {
    const rows = await env('batch').from('orders').orderBy($('amount').desc(), $('id')).select($('id'), $('amount')).execute().collectChangelog();
    expect(rows.every((c) => c.kind === RowKind.INSERT)).toBe(true);
    expect(rows.map((c) => c.row)).toEqual(sorted(desc));
    const up = await env('batch').from('orders').select($('id'), $('amount')).orderBy($('amount').asc(), $('id')).execute().collect();
    expect(up).toEqual(sorted(asc));
  });

  it('offset(), fetch(), offset().fetch(), limit(n), limit(offset, n): the slice of the sorted rows', async () => {
    const t = () => env('batch').from('orders').select($('id'), $('amount')).orderBy($('amount').desc(), $('id'));
    const all = sorted(desc);
    expect(await t().fetch(4).execute().collect()).toEqual(all.slice(0, 4));
    expect(await t().offset(5).fetch(3).execute().collect()).toEqual(all.slice(5, 8));
    expect(await t().limit(6).execute().collect()).toEqual(all.slice(0, 6));
    expect(await t().limit(28, 10).execute().collect()).toEqual(all.slice(28));
    expect(await t().offset(40).fetch(3).execute().collect()).toEqual([]);
  });

  it('orderBy an expression: computed for the sort, not in the result', async () => {
    const rows = await env('batch').from('orders').select($('id'), $('amount')).orderBy($('id').mod(lit(7)).desc(), $('id')).fetch(5).execute().collect();
    const expected = [...ORDERS].sort((a, b) => (b.id % 7) - (a.id % 7) || a.id - b.id).slice(0, 5);
    expect(rows).toEqual(pick(expected));
    expect(Object.keys(rows[0])).toEqual(['id', 'amount']);
  });

  it('SQL OFFSET / FETCH and LIMIT n OFFSET m', async () => {
    const q = (tail: string) => env('batch').sqlQuery(`SELECT id, amount FROM orders ORDER BY amount DESC, id ${tail}`).execute().collect();
    const all = sorted(desc);
    expect(await q('OFFSET 3 ROWS FETCH NEXT 4 ROWS ONLY')).toEqual(all.slice(3, 7));
    expect(await q('FETCH FIRST 2 ROWS ONLY')).toEqual(all.slice(0, 2));
    expect(await q('LIMIT 5 OFFSET 10')).toEqual(all.slice(10, 15));
    expect(await q('\n  OFFSET 1 ROW\n  FETCH FIRST 1 ROW ONLY')).toEqual(all.slice(1, 2));
  });
});

describe('on a stream and the errors, as Flink', () => {
  it('a stream runs orderBy().offset().fetch() as a Top-N: its final rows are the slice', async () => {
    const changes = await env('streaming').from('orders').select($('id'), $('amount')).orderBy($('amount').asc(), $('id')).offset(2).fetch(5).execute().collectChangelog();
    const rows: unknown[] = [];
    for (const { kind, row } of changes) {
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) rows.push(row);
      else rows.splice(rows.findIndex((r) => JSON.stringify(r) === JSON.stringify(row)), 1);
    }
    expect(sortRows(rows as Record<string, unknown>[])).toEqual(sortRows(sorted(asc).slice(2, 7)));
  });

  it("Flink's Table API errors: a second fetch, an offset after a fetch, a second offset, negative counts", () => {
    const t = () => env('batch').from('orders').orderBy($('id'));
    expect(failure(() => t().fetch(2).fetch(3)).message).toBe('FETCH is already defined.');
    expect(failure(() => t().fetch(2).offset(3)).message).toBe('FETCH is already defined.');
    expect(failure(() => t().offset(1).offset(3)).message).toBe('OFFSET already defined');
    expect(failure(() => t().offset(-1)).message).toBe('Offset should be greater or equal 0');
    expect(failure(() => t().fetch(-1)).message).toBe('Fetch should be greater or equal 0');
  });

  it('an OFFSET without FETCH is refused in both modes, as Flink refuses it', async () => {
    for (const mode of ['batch', 'streaming'] as const) {
      const err = await (async () => env(mode).from('orders').orderBy($('id')).offset(3).execute().collect())().catch((e) => e);
      expect(err).toBeInstanceOf(CompileError);
      expect(err.message).toMatch(/^OFFSET without FETCH is not supported/);
      expect(err.hint).toMatch(/FETCH NEXT n ROWS ONLY/);
    }
  });
});
