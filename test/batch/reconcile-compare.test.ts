// reconcile's comparison (runtime/reconcile/compare.ts, sink-key.ts): rows matched under the table's key,
// differences classified as missing / extra / changed, and only the legitimate ones explained.
import { describe, expect, it } from 'vitest';
import { DataTypes } from '../../runtime/core/data-types.js';
import { compareTable, differingKeys, keyOf, type CompareInput } from '../../runtime/reconcile/compare.js';

const columns = [{ name: 'k', type: DataTypes.STRING() }, { name: 'n', type: DataTypes.BIGINT() }, { name: 'x', type: DataTypes.DOUBLE() }];
const none = new Set<string>();
const input = (over: Partial<CompareInput>): CompareInput => ({
  columns, key: ['k'], expected: [], found: [], atLeastOnce: false, lateKeys: none, unclosedKeys: none, tailKeys: none, tolerance: 1e-9, ...over,
});
const k = (key: string) => keyOf({ k: key }, ['k'], columns);

describe('reconcile: comparing a sink table', () => {
  it('classifies by key: matched, changed, missing, extra', () => {
    const r = compareTable(input({
      expected: [{ k: 'a', n: 1, x: 0.5 }, { k: 'b', n: 2, x: 1 }, { k: 'c', n: 3, x: 1 }],
      found: [{ k: 'a', n: 1, x: 0.5 }, { k: 'b', n: 5, x: 1 }, { k: 'd', n: 4, x: 1 }],
    }));
    expect(r).toMatchObject({ matched: 1, changed: 1, missing: 1, extra: 1, explained: {} });
    expect(r.differences.map((d) => [d.kind, d.key.k, d.expected?.n ?? null, d.found?.n ?? null])).toEqual([
      ['changed', 'b', 2, 5], ['missing', 'c', 3, null], ['extra', 'd', null, 4],
    ]);
  });

  it('explains: late records, windows not closed, input after the checkpoint, float tolerance, at-least-once duplicates', () => {
    const r = compareTable(input({
      key: ['k'],
      expected: [{ k: 'late', n: 10, x: 1 }, { k: 'open', n: 1, x: 1 }, { k: 'tail', n: 1, x: 1 }, { k: 'f', n: 1, x: 0.1 + 0.2 }, { k: 'dup', n: 1, x: 1 }],
      found: [{ k: 'late', n: 9, x: 1 }, { k: 'tail', n: 3, x: 1 }, { k: 'f', n: 1, x: 0.3 }, { k: 'dup', n: 1, x: 1 }, { k: 'dup', n: 1, x: 1 }],
      atLeastOnce: true, lateKeys: new Set([k('late')]), unclosedKeys: new Set([k('open')]), tailKeys: new Set([k('tail')]),
    }));
    expect(r).toMatchObject({ matched: 1, missing: 0, extra: 0, changed: 0 });
    expect(r.explained).toEqual({ 'late records': 1, 'window not closed': 1, 'input after the checkpoint': 1, 'float tolerance': 1, 'at-least-once duplicate': 1 });
  });

  it('explains nothing it cannot attribute: an extra row of a late key on an exactly-once sink, a missing row of a closed window', () => {
    const r = compareTable(input({
      expected: [{ k: 'a', n: 1, x: 1 }],
      found: [{ k: 'a', n: 1, x: 1 }, { k: 'a', n: 2, x: 1 }, { k: 'b', n: 1, x: 1 }],
      lateKeys: new Set([k('a'), k('b')]),
    }));
    expect(r).toMatchObject({ matched: 1, extra: 2, explained: {} });
  });

  it('ARRAY, MAP and ROW values are equal by content', () => {
    const nested = [{ name: 'k', type: DataTypes.STRING() }, { name: 'tags', type: DataTypes.ARRAY(DataTypes.STRING()) }, { name: 'm', type: DataTypes.MAP(DataTypes.STRING(), DataTypes.INT()) }];
    const r = compareTable(input({
      columns: nested,
      expected: [{ k: 'a', tags: ['x', 'y'], m: { p: 1 } }, { k: 'b', tags: ['x'], m: { p: 1 } }, { k: 'c', tags: [], m: new Map([['p', 1]]) }],
      found: [{ k: 'a', tags: ['x', 'y'], m: { p: 1 } }, { k: 'b', tags: ['y'], m: { p: 1 } }, { k: 'c', tags: [], m: new Map([['p', 2]]) }],
    }));
    expect(r).toMatchObject({ matched: 1, changed: 2, missing: 0, extra: 0 });
    expect(r.differences.map((d) => d.key.k)).toEqual(['b', 'c']);
  });

  it('keys whose rows differ between two results', () => {
    expect([...differingKeys([{ k: 'a', n: 1, x: 1 }, { k: 'b', n: 1, x: 1 }], [{ k: 'a', n: 1, x: 1 }, { k: 'b', n: 2, x: 1 }, { k: 'c', n: 1, x: 1 }], ['k'], columns)])
      .toEqual([k('b'), k('c')]);
  });
});
