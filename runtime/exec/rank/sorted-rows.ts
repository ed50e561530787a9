// The rows of one partition in sort order, as Flink's TopNBuffer (a TreeMap from sort key to the rows with
// that key, in arrival order): entries sorted by the ORDER BY columns, found by binary search. Sort order is
// SQL's with Flink's default NULL placement (NULLS FIRST ascending, NULLS LAST descending).
import type { SortKey } from '../../core/plan.js';
import type { Row } from '../../core/row.js';

export type RowCompare = (a: Row, b: Row) => number;

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' || typeof b === 'bigint') { const x = BigInt(a as number); const y = BigInt(b as number); return x < y ? -1 : x > y ? 1 : 0; }
  if (typeof a === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** One sort key's comparison of two values (NULLs placed as the key says). */
function compareKey(x: unknown, y: unknown, k: SortKey): number {
  if (x === null || y === null) return x === y ? 0 : (x === null) === k.nullsFirst ? -1 : 1;
  return k.desc ? -compareValues(x, y) : compareValues(x, y);
}

/**
 * The comparison of two rows by the ORDER BY columns, generated per sort order: each column read by name and,
 * when both values are numbers (integers, doubles, times), compared inline; other values go through compareKey.
 * A Top-N compares every input row with the last of its partition's top (inRange), so this runs once per row.
 */
export function rowComparator(orderBy: readonly SortKey[]): RowCompare {
  const steps = orderBy.map((k, i) => {
    const col = JSON.stringify(k.column);
    const [less, more] = k.desc ? [1, -1] : [-1, 1];
    return `x = a[${col}] ?? null; y = b[${col}] ?? null;
  if (typeof x === 'number' && typeof y === 'number') { if (x < y) return ${less}; if (x > y) return ${more}; }
  else if ((c = compareKey(x, y, keys[${i}])) !== 0) return c;`;
  });
  const make = new Function('compareKey', 'keys', `return (a, b) => {\n  let x, y, c;\n  ${steps.join('\n  ')}\n  return 0;\n};`);
  return make(compareKey, orderBy) as RowCompare;
}

/** Column-wise equality of two rows (Flink's RecordEqualiser over the input row). */
export function rowsEqual(a: Row, b: Row, columns: readonly string[]): boolean {
  for (const c of columns) {
    const x = a[c] ?? null;
    const y = b[c] ?? null;
    if (x !== y && !(typeof x === 'object' && x !== null && JSON.stringify(x) === JSON.stringify(y))) return false;
  }
  return true;
}

export interface SortEntry {
  /** The first row with this sort key: compared with, never emitted for it. */
  key: Row;
  rows: Row[];
}

export class SortedRows {
  entries: SortEntry[] = [];
  count = 0;

  constructor(readonly compare: RowCompare) {}

  /** The index of the entry with the row's sort key, or -(insertion point) - 1. */
  find(row: Row): number {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(this.entries[mid].key, row);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /** Appends the row to its sort key's rows; returns the entry's index. */
  put(row: Row): number {
    let i = this.find(row);
    if (i < 0) {
      i = -i - 1;
      this.entries.splice(i, 0, { key: row, rows: [row] });
    } else {
      this.entries[i].rows.push(row);
    }
    this.count++;
    return i;
  }

  /** TopNBuffer.checkSortKeyInBufferRange: the row sorts before the last key, or the buffer holds fewer than n rows. */
  inRange(row: Row, n: number): boolean {
    const last = this.entries[this.entries.length - 1];
    return last === undefined || this.compare(row, last.key) < 0 || this.count < n;
  }

  removeEntry(i: number): void {
    this.count -= this.entries[i].rows.length;
    this.entries.splice(i, 1);
  }

  /** Keeps the entries before index i. */
  truncate(i: number): void {
    for (let j = i; j < this.entries.length; j++) this.count -= this.entries[j].rows.length;
    this.entries.length = i;
  }

  snapshot(): Row[][] {
    return this.entries.map((e) => e.rows);
  }

  restore(s: Row[][]): void {
    this.entries = s.map((rows) => ({ key: rows[0], rows }));
    this.count = s.reduce((n, rows) => n + rows.length, 0);
  }
}
