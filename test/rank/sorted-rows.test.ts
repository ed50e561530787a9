// The generated row comparison of ranks and sorts (runtime/exec/rank/sorted-rows.ts rowComparator) against an
// ordering written out here: every pair of rows over two sort keys, with NULLs on both placements, numbers
// (integers, doubles, -0, NaN), strings, DECIMALs (bigints) and booleans.
import { describe, expect, it } from 'vitest';
import type { SortKey } from '../../runtime/core/plan.js';
import type { Row } from '../../runtime/core/row.js';
import { rowComparator } from '../../runtime/exec/rank/sorted-rows.js';

/** SQL's order of two non-NULL values of one type: numbers and bigints by value, strings by UTF-16 code units, false < true. */
function order(x: unknown, y: unknown): number {
  if (typeof x === 'boolean') return x === y ? 0 : x ? 1 : -1;
  if (typeof x === 'string') return x === y ? 0 : x < (y as string) ? -1 : 1;
  if (Number.isNaN(x) || Number.isNaN(y)) return 0; // NaN is equal to everything, as in Java's < and >
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

function expected(keys: SortKey[], a: Row, b: Row): number {
  for (const k of keys) {
    const x = a[k.column] ?? null;
    const y = b[k.column] ?? null;
    let c: number;
    if (x === null && y === null) c = 0;
    else if (x === null) c = k.nullsFirst ? -1 : 1;
    else if (y === null) c = k.nullsFirst ? 1 : -1;
    else c = k.desc ? -order(x, y) : order(x, y);
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}

const columns: Record<string, unknown[]> = {
  numbers: [null, -3, -0, 0, 2.5, 7, 1e15, NaN],
  strings: [null, '', 'a', 'B', 'ab', 'é'],
  decimals: [null, -12n, 0n, 5n, 12n],
  booleans: [null, false, true],
};

describe('rowComparator', () => {
  for (const [first, values] of Object.entries(columns)) {
    for (const desc of [false, true]) {
      it(`orders by ${first} ${desc ? 'DESC' : 'ASC'}, then by a number, as SQL does (NULLs first and last)`, () => {
        const rows: Row[] = [];
        for (const v of values) for (const n of columns.numbers) rows.push({ [first]: v, tie: n });
        for (const nullsFirst of [false, true]) {
          const keys: SortKey[] = [{ column: first, desc, nullsFirst }, { column: 'tie', desc: !desc, nullsFirst: !nullsFirst }];
          const compare = rowComparator(keys);
          for (const a of rows) for (const b of rows) expect(Math.sign(compare(a, b)), `${String(a[first])},${String(a.tie)} vs ${String(b[first])},${String(b.tie)}`).toBe(expected(keys, a, b));
        }
      });
    }
  }

  it('a missing column reads as NULL', () => {
    const compare = rowComparator([{ column: 'x', desc: false, nullsFirst: true }]);
    expect(compare({}, { x: 1 })).toBe(-1);
    expect(compare({}, { x: null })).toBe(0);
  });
});
