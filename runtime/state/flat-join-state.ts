// One input side of a regular join whose rows need nothing but their values: an insert-only input, no
// `table.exec.state.ttl`, and a side that counts no associations (not an outer side, not a semi/anti join's
// left side). Flink's JoinRecordStateView keeps such rows with a count of 1 each; here the rows of a join key are
// their column values one after the other in one array (stride: the side's columns), no object per row: a
// million bids of a stream–dimension join are 4 numbers each, which V8 keeps unboxed in a double array while every
// value is a number (bench/README.md: 273 MB and a fifth of the time in GC with a record object per row).
// The key column of a join on one column is not kept (flatLayout): the rows under a key all have the key's value
// there, and a row of the other side joining them carries it in its own key column.
// Snapshots have the layout of state/join-state.ts (row, count, associations, last write), so either restores
// the other's: a plan whose settings change between runs restores its join state all the same.
import type { TypeName } from '../core/data-types.js';
import type { JoinNode } from '../core/plan.js';
import type { Row } from '../core/row.js';
import { literalKey } from '../core/row.js';
import { rowContentKey, type JoinRecord } from './join-state.js';
import { fromSnapshotValue, toSnapshotValue } from './snapshot-values.js';

/** One snapshot entry: row, count, associations, last write (state/join-state.ts). */
type SnapshotRecord = [Row, number, number, number];

/**
 * Where each column of a side kept flat is: its index among a row's values, or (a string) the other side's key
 * column whose value it has. Generated code reading a flat row (join-rows.ts, compiler/codegen) follows it.
 */
export type FlatLayout = (number | string)[];

/**
 * Key types whose values equal (SameValueZero, the Map's equality) exactly when they are the same value: not
 * floating point (-0 and 0 are one key with two values), not DECIMAL, BYTES or nested values.
 */
const EXACT_KEYS = new Set<TypeName>(['BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'STRING', 'VARCHAR', 'CHAR', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ']);

/**
 * The layouts of a join's two sides were they kept flat: a join on one column of an exact key type keeps the key
 * column out (the other side's key column has its value), every other column in order. (A key column not among
 * the side's columns, or of a type not in EXACT_KEYS, is kept like the others.)
 */
export function flatLayouts(node: Pick<JoinNode, 'leftFields' | 'rightFields' | 'leftKeys' | 'rightKeys' | 'schema'>): [FlatLayout, FlatLayout] {
  const { leftFields: lf, rightFields: rf, leftKeys, rightKeys, schema } = node;
  const layout = (fields: readonly string[], offset: number, key: string | undefined, otherKey: string | undefined): FlatLayout => {
    // A side with no other column keeps its key (a row is at least one value).
    const exact = key !== undefined && fields.length > 1 && EXACT_KEYS.has(schema[offset + fields.indexOf(key)]?.type.name);
    let at = 0;
    return fields.map((f) => (exact && f === key ? otherKey! : at++));
  };
  const single = leftKeys.length === 1;
  return [layout(lf, 0, single ? leftKeys[0] : undefined, rightKeys[0]), layout(rf, lf.length, single ? rightKeys[0] : undefined, leftKeys[0])];
}

export class FlatJoinSide {
  private readonly buckets = new Map<unknown, unknown[]>();
  /** Values per row. */
  readonly stride: number;
  /** Appends a row's values to a key's array; starts a key's array. */
  private readonly append: (values: unknown[], row: Row) => void;
  private readonly first: (row: Row) => unknown[];
  /** The row of the values at `at` under `key`. */
  private readonly rowAt: (values: readonly unknown[], at: number, key: unknown) => Row;

  /**
   * `keyOf` gives a row's join key (a value, or a composite string; null when a key column is NULL: such rows never
   * match and are not kept); `fields` are the side's columns, in order, kept as `layout` says (its key column's
   * value is the key); `now` stamps snapshot records.
   */
  constructor(private readonly keyOf: (row: Row) => unknown, private readonly fields: readonly string[], layout: FlatLayout, private readonly now: () => number) {
    const stored = fields.filter((_, i) => typeof layout[i] === 'number');
    this.stride = stored.length;
    const reads = stored.map((f) => `r[${JSON.stringify(f)}] ?? null`).join(', ');
    // push(...) of several values and an array literal: one call per row, no array of values in between.
    this.append = new Function('a', 'r', `a.push(${reads});`) as (values: unknown[], row: Row) => void;
    this.first = new Function('r', `return [${reads}];`) as (row: Row) => unknown[];
    const value = (i: number) => (typeof layout[i] === 'number' ? `a[o + ${layout[i]}]` : 'key');
    this.rowAt = new Function('a', 'o', 'key', `return { ${fields.map((f, i) => `${literalKey(f)}: ${value(i)}`).join(', ')} };`) as (values: readonly unknown[], at: number, key: unknown) => Row;
  }

  /** The values of the rows under a key (stride values per row), or undefined. */
  get(key: unknown): unknown[] | undefined {
    return this.buckets.get(key);
  }

  /** Adds one row (its key not null). */
  add(key: unknown, row: Row): void {
    const b = this.buckets.get(key);
    if (b === undefined) this.buckets.set(key, this.first(row));
    else this.append(b, row);
  }

  /**
   * Takes one equal row away (an insert-only input sends none; found by content all the same, as
   * JoinSideState does, so the result stays right); a row not there changes nothing.
   */
  retract(key: unknown, row: Row): void {
    const b = this.buckets.get(key);
    if (b === undefined) return;
    const k = rowContentKey(row, this.fields);
    for (let o = 0; o < b.length; o += this.stride) {
      if (rowContentKey(this.rowAt(b, o, key), this.fields) !== k) continue;
      b.splice(o, this.stride);
      if (b.length === 0) this.buckets.delete(key);
      return;
    }
  }

  /** Every row kept, as records (count 1, no associations). */
  *records(): IterableIterator<JoinRecord> {
    const time = this.now();
    for (const [key, b] of this.buckets) for (let o = 0; o < b.length; o += this.stride) yield { row: this.rowAt(b, o, key), count: 1, assoc: 0, time };
  }

  size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.length / this.stride;
    return n;
  }

  /** The rows grouped by key group, as state/join-state.ts snapshots them (written now: a TTL set later counts from the restore's snapshot). */
  snapshot(keyGroupOf: (row: Row) => number): Record<number, SnapshotRecord[]> {
    const out: Record<number, SnapshotRecord[]> = {};
    for (const r of this.records()) (out[keyGroupOf(r.row)] ??= []).push([toSnapshotValue(r.row) as Row, 1, 0, r.time]);
    return out;
  }

  /** Restores the rows of the key groups `owns` accepts (all by default); a record counted n times is n rows. */
  restore(s: Record<number, SnapshotRecord[]>, owns: (keyGroup: number) => boolean = () => true): void {
    this.buckets.clear();
    for (const [kg, records] of Object.entries(s)) {
      if (!owns(Number(kg))) continue;
      for (const [snapRow, count] of records) {
        const row = fromSnapshotValue(snapRow) as Row;
        const key = this.keyOf(row);
        if (key === null) continue;
        for (let c = 0; c < count; c++) this.add(key, row);
      }
    }
  }
}
