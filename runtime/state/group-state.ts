// State of a non-windowed group aggregate: one entry per key with its accumulators and the row last
// emitted, so that a change can be sent as -U old / +U new (Flink's upsert changelog).
// Entries are found through nested Maps, one level per key column, keyed by the column values themselves:
// Map's SameValueZero equality is SQL grouping's (NULL is one group, 0 and -0 are one), and no key string is
// built per row. A string key for two columns (account, hour) cost a number-to-string conversion per column
// and the hashing of a fresh string on every row: about four times the two lookups (bench/README.md).
// Generated ingest code walks the levels inline; the interpreter calls entry(). Timestamp and date key columns
// (boxed doubles, which Map hashes at some 20 ns a lookup) come first in the index (levelOrder), and generated
// code keeps the last key and what it found on such a level's Map (`k`, `e`): rows in event-time order nearly
// always share the hour or day of the row before, so they find it there, on a level that stays in the cache,
// and go on with one lookup by the other columns (the spend report's key lookup, bench/README.md).
import { isTimestamp, type DataType } from '../core/data-types.js';
import type { AggKernel, AggregateIngest } from '../core/kernels.js';
import type { Row } from '../core/row.js';
import { RowKind } from '../core/row.js';
import { resultRowBuilder, sameResults } from './agg-kernel.js';
import { isKeyedSnapshot, type KeyedItem, type KeyedSnapshot, type KeyGroupOf } from './keyed-snapshot.js';
import { fromSnapshotValue, toSnapshotFlat, toSnapshotValue } from './snapshot-values.js';

export interface GroupEntry {
  keys: unknown[];
  acc: any;
  /** Last emitted row; undefined before the first emission. */
  prev: Row | undefined;
  touched: boolean;
  /** The key's key group once a snapshot needed it (-1 before): entries live on, so it is computed once. */
  kg: number;
  /** Removed from the index (its last row was retracted); `entries` drops it at the next compaction. */
  gone?: boolean;
}

/** What a snapshot holds per entry: key group, key values (in key order), accumulators, the row last emitted. */
type EntrySnapshot = [number, unknown[], unknown, Row | null];

/** One level of the index: a key column's value → the next level, or the entry at the last level. */
export type GroupLevel = Map<unknown, any>;

/** Key columns whose level generated code looks up through its one-entry cache. */
export const cachedKey = (t: DataType): boolean => isTimestamp(t) || t.name === 'DATE';

/** The key columns (by position) in the order of the index's levels: cached ones first. */
export function levelOrder(keyTypes: readonly DataType[]): number[] {
  const all = keyTypes.map((_, i) => i);
  return [...all.filter((i) => cachedKey(keyTypes[i])), ...all.filter((i) => !cachedKey(keyTypes[i]))];
}

/** A chain of calcs ending in a non-windowed aggregate's accumulate step. */
export type GroupIngest = AggregateIngest<GroupState>;

export class GroupState {
  /**
   * The first level of the index. With no key columns the single entry is under 0; with one, entries are
   * under the key value; with n, n - 1 levels of Maps lead to them, in levelOrder.
   */
  map: GroupLevel = new Map();
  readonly touched: GroupEntry[] = [];
  /** Every entry, in creation order (for snapshots), and how many of them are gone (retracting kernels). */
  private entries: GroupEntry[] = [];
  private goneEntries = 0;
  private readonly toRow: (keys: readonly unknown[], acc: unknown, start: number, end: number) => Row;
  private readonly sameResult: (a: Row, b: Row) => boolean;
  private readonly order: number[];

  constructor(
    private readonly kernel: AggKernel, keyNames: readonly string[], keyTypes: readonly DataType[], aggNames: readonly string[],
    private readonly keyGroupOf: KeyGroupOf, private readonly maxParallelism: number,
  ) {
    this.order = levelOrder(keyTypes);
    this.toRow = resultRowBuilder(kernel, keyNames, aggNames);
    this.sameResult = sameResults(aggNames);
  }

  /** Called by ingest code for a key seen for the first time: the new entry under `key` in the last level. */
  add(level: GroupLevel, key: unknown, keys: unknown[]): GroupEntry {
    const e: GroupEntry = { keys, acc: this.kernel.create(), prev: undefined, touched: false, kg: -1 };
    level.set(key, e);
    this.entries.push(e);
    return e;
  }

  /** The entry of these key values (in key order), created when new (generated code does the same walk inline). */
  entry(values: unknown[]): GroupEntry {
    let level = this.map;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      const v = values[this.order[i]];
      let next = level.get(v);
      if (next === undefined) level.set(v, (next = new Map()));
      level = next;
    }
    const key = last < 0 ? 0 : values[this.order[last]];
    return level.get(key) ?? this.add(level, key, values);
  }

  /** Called by ingest code after accumulating into an entry. */
  touch(e: GroupEntry): void {
    if (!e.touched) { e.touched = true; this.touched.push(e); }
  }

  /**
   * The changelog for the entries changed since the last call. With a retracting kernel, a group whose rows
   * were all retracted is removed, its last row deleted (-D), as Flink's GroupAggFunction clears its state.
   */
  drainChanges(rows: Row[], kinds: RowKind[]): void {
    const rowsOf = this.kernel.rows;
    for (const e of this.touched) {
      e.touched = false;
      if (rowsOf !== undefined && rowsOf(e.acc) <= 0) {
        if (e.prev !== undefined) { rows.push(e.prev); kinds.push(RowKind.DELETE); }
        this.remove(e);
        continue;
      }
      const row = this.toRow(e.keys, e.acc, 0, 0);
      if (e.prev === undefined) {
        rows.push(row); kinds.push(RowKind.INSERT);
      } else if (!this.sameResult(e.prev, row)) {
        rows.push(e.prev, row); kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
      }
      e.prev = row;
    }
    this.touched.length = 0;
    if (this.goneEntries > 1024 && this.goneEntries * 2 > this.entries.length) this.compact();
  }

  /** Takes an entry out of the index; a later row of its key starts a new one. */
  private remove(e: GroupEntry): void {
    let level = this.map;
    const last = e.keys.length - 1;
    for (let i = 0; i < last; i++) level = level.get(e.keys[this.order[i]]);
    const key = last < 0 ? 0 : e.keys[this.order[last]];
    level.delete(key);
    // Generated code's one-entry cache on a timestamp level (see the header) must not find it again.
    const cache = level as GroupLevel & { k?: unknown; e?: unknown };
    if (cache.e === e) { cache.k = undefined; cache.e = undefined; }
    e.gone = true;
    this.goneEntries++;
  }

  private compact(): void {
    this.entries = this.entries.filter((e) => !e.gone);
    this.goneEntries = 0;
  }

  /**
   * Local-global aggregation (runtime/exec/parallel/): the accumulators of every entry as [keys, accumulators],
   * and the state starts empty again; the owning subtask merges them into its own state (mergePartial).
   */
  takePartials(): [unknown[], unknown][] {
    this.compact();
    const out = this.entries.map((e): [unknown[], unknown] => [e.keys, e.acc]);
    this.map = new Map(); // not clear(): see restore()
    this.entries.length = 0;
    this.touched.length = 0;
    return out;
  }

  /** Merges accumulators another subtask pre-aggregated (takePartials) into this key's entry. */
  mergePartial(keys: unknown[], acc: unknown): void {
    const e = this.entry(keys);
    this.kernel.merge(e.acc, acc);
    this.touch(e);
  }

  /** Every entry with its key group (KeyedSnapshot), in creation order. */
  snapshot(): KeyedSnapshot {
    this.compact();
    const entries = this.entries.map((e): EntrySnapshot => [e.kg >= 0 ? e.kg : (e.kg = this.keyGroupOf(e.keys)), toSnapshotFlat(e.keys), toSnapshotValue(e.acc), toSnapshotFlat(e.prev ?? null)]);
    return { maxParallelism: this.maxParallelism, lists: { entries: entries as KeyedItem[] } };
  }

  /** A snapshot of this operator's key groups (runtime/exec/redistribute.ts selects them for a subtask). */
  restore(s: unknown): void {
    if (!isKeyedSnapshot(s)) throw new Error('group aggregate state is not per key group: restore it through runtime/exec/redistribute.ts');
    this.map = new Map(); // not clear(): the old one may hold a cached entry (see the header)
    this.entries.length = 0;
    this.goneEntries = 0;
    this.touched.length = 0;
    const sameGroups = s.maxParallelism === this.maxParallelism;
    for (const [kg, keys, acc, prev] of (s.lists.entries ?? []) as EntrySnapshot[]) {
      const e = this.entry(fromSnapshotValue(keys) as typeof keys);
      e.acc = fromSnapshotValue(acc);
      e.prev = (fromSnapshotValue(prev) as typeof prev) ?? undefined;
      if (sameGroups) e.kg = kg;
    }
  }

  /**
   * The first snapshot format (before key groups: [key, keys, accumulators, last row] per entry) as a
   * KeyedSnapshot, so that checkpoints and savepoints written before it restore at any parallelism.
   */
  static fromLegacy(s: unknown, keyGroupOf: KeyGroupOf, maxParallelism: number): KeyedSnapshot {
    const entries = (s as [unknown, unknown[], unknown, Row | null][]).map(([, keys, acc, prev]): EntrySnapshot => [keyGroupOf(keys), keys, acc, prev]);
    return { maxParallelism, lists: { entries: entries as KeyedItem[] } };
  }
}
