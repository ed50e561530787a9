// One input side of a regular join: its rows by join key, each distinct row with how many times it is there
// (Flink's JoinRecordStateView without a unique key: record → count) and, for an outer side, with how many
// rows of the other side it joins (OuterJoinRecordStateView: numOfAssociations). With `table.exec.state.ttl`
// every row carries the time it was last written and counts as gone once the TTL has passed since
// (Flink's StateTtlConfig for SQL state: OnCreateAndWrite, NeverReturnExpired, processing time); expired rows
// are dropped when their key is read and by a sweep once per TTL. Snapshots are per key group.
// An insert-only input never takes a row back, so it never looks one up by its content: its rows are kept in
// arrival order, equal rows apart (each with count 1: the same pairs come out), and no content key is built per
// row, which was most of a stream–dimension join's time and a third of its memory (bench/README.md).
import type { Row } from '../core/row.js';
import { fromSnapshotValue, toSnapshotValue } from './snapshot-values.js';

export interface JoinRecord {
  row: Row;
  /** How many times this row is in the input (inserted minus retracted). */
  count: number;
  /** Outer sides: rows of the other side it joins with. */
  assoc: number;
  /** Processing time of the last write, for the TTL. */
  time: number;
}

/** The rows of one join key: by their content (rowKey), or in arrival order for an insert-only input. */
type Bucket = Map<string, JoinRecord> | JoinRecord[];

/** One snapshot entry: row, count, associations, last write. */
type SnapshotRecord = [Row, number, number, number];

export class JoinSideState {
  private readonly buckets = new Map<unknown, Bucket>();
  private lastSweep: number;

  /**
   * `keyOf` gives a row's join key (a value, or a composite string; null when a key column is NULL: such rows
   * never match and are not kept); `fields` are the columns kept; `ttlMs` 0 keeps rows forever; `insertOnly`:
   * the input's changelog has inserts only (its rows are kept as a list per key).
   */
  constructor(
    private readonly keyOf: (row: Row) => unknown,
    private readonly fields: readonly string[],
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly insertOnly = false,
  ) {
    this.lastSweep = now();
  }

  /** The live rows under a key (expired ones are removed on the way), or undefined. */
  get(key: unknown): Bucket | undefined {
    const b = this.buckets.get(key);
    if (b === undefined || this.ttlMs === 0) return b;
    if (this.dropExpired(b, this.now()) === 0) { this.buckets.delete(key); return undefined; }
    return b;
  }

  /** Removes a bucket's expired rows; returns how many rows are left. */
  private dropExpired(b: Bucket, now: number): number {
    if (Array.isArray(b)) {
      let kept = 0;
      for (const r of b) if (!this.expired(r, now)) b[kept++] = r;
      b.length = kept;
      return kept;
    }
    for (const [k, r] of b) if (this.expired(r, now)) b.delete(k);
    return b.size;
  }

  /** Adds one occurrence of a row (with its number of associations, for an outer side). */
  add(key: unknown, row: Row, assoc: number): void {
    let b = this.buckets.get(key);
    if (this.insertOnly) {
      const r = { row: this.kept(row), count: 1, assoc, time: this.now() };
      if (b === undefined) this.buckets.set(key, [r]);
      else (b as JoinRecord[]).push(r);
      return;
    }
    if (b === undefined) this.buckets.set(key, (b = new Map()));
    const byContent = b as Map<string, JoinRecord>;
    const k = this.rowKey(row);
    const now = this.now();
    const r = byContent.get(k);
    if (r === undefined || this.expired(r, now)) byContent.set(k, { row: this.kept(row), count: 1, assoc, time: now });
    else { r.count++; r.assoc = assoc; r.time = now; }
  }

  /** Takes one occurrence of a row away; a row not there (never seen, or expired) changes nothing. */
  retract(key: unknown, row: Row): void {
    const b = this.buckets.get(key);
    if (b === undefined) return;
    const k = this.rowKey(row);
    if (Array.isArray(b)) {
      // Not expected on an insert-only side; found by content all the same, so the result stays right.
      const i = b.findIndex((r) => this.rowKey(r.row) === k);
      if (i < 0) return;
      const r = b[i];
      if (--r.count <= 0 || this.expired(r, this.now())) b.splice(i, 1);
      else r.time = this.now();
      if (b.length === 0) this.buckets.delete(key);
      return;
    }
    const r = b.get(k);
    if (r === undefined) return;
    if (--r.count <= 0 || this.expired(r, this.now())) b.delete(k);
    else r.time = this.now();
    if (b.size === 0) this.buckets.delete(key);
  }

  /** Sets a row's number of associations (a write: it renews the row's TTL). */
  setAssoc(r: JoinRecord, assoc: number): void {
    r.assoc = assoc;
    r.time = this.now();
  }

  /** Drops every expired row, at most once per TTL (called as input arrives). */
  sweep(): void {
    if (this.ttlMs === 0) return;
    const now = this.now();
    if (now - this.lastSweep < this.ttlMs) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) if (this.dropExpired(b, now) === 0) this.buckets.delete(key);
  }

  /** Every row kept (a batch join pads its outer side's unmatched rows from them at the end). */
  *records(): IterableIterator<JoinRecord> {
    for (const b of this.buckets.values()) yield* b.values();
  }

  /** Rows kept, for tests and metrics: the sum of counts. */
  size(): number {
    let n = 0;
    for (const b of this.buckets.values()) for (const r of b.values()) n += r.count;
    return n;
  }

  /** Live rows grouped by key group (`keyGroupOf` a row's key group), as JSON-safe records. */
  snapshot(keyGroupOf: (row: Row) => number): Record<number, SnapshotRecord[]> {
    const now = this.now();
    const out: Record<number, SnapshotRecord[]> = {};
    for (const b of this.buckets.values()) {
      for (const r of b.values()) {
        if (this.expired(r, now)) continue;
        (out[keyGroupOf(r.row)] ??= []).push([toSnapshotValue(r.row) as Row, r.count, r.assoc, r.time]);
      }
    }
    return out;
  }

  /** Restores the rows of the key groups `owns` accepts (all of them by default). */
  restore(s: Record<number, SnapshotRecord[]>, owns: (keyGroup: number) => boolean = () => true): void {
    this.buckets.clear();
    for (const [kg, records] of Object.entries(s)) {
      if (!owns(Number(kg))) continue;
      for (const [snapRow, count, assoc, time] of records) {
        const row = fromSnapshotValue(snapRow) as Row;
        const key = this.keyOf(row);
        const r = { row, count, assoc, time };
        const b = this.buckets.get(key);
        if (this.insertOnly) {
          if (b === undefined) this.buckets.set(key, [r]);
          else (b as JoinRecord[]).push(r);
        } else if (b === undefined) this.buckets.set(key, new Map([[this.rowKey(row), r]]));
        else (b as Map<string, JoinRecord>).set(this.rowKey(row), r);
      }
    }
  }

  private expired(r: JoinRecord, now: number): boolean {
    return this.ttlMs > 0 && now - r.time >= this.ttlMs;
  }

  private kept(row: Row): Row {
    const out: Row = {};
    for (const f of this.fields) out[f] = row[f] ?? null;
    return out;
  }

  private rowKey(row: Row): string {
    return rowContentKey(row, this.fields);
  }
}

/** A row's identity by content: equal rows (as SQL compares them, NULL = NULL) have one key. */
export function rowContentKey(row: Row, fields: readonly string[]): string {
  let k = '';
  for (const f of fields) {
    const v = row[f] ?? null;
    k += v === null ? '\u0000' : typeof v === 'string' ? 's' + v : typeof v === 'object' ? 'o' + JSON.stringify(v) : typeof v + String(v);
    k += '\u0001';
  }
  return k;
}
