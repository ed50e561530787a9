// State of a non-windowed group aggregate: one entry per key with its accumulators and the row last
// emitted, so that a change can be sent as -U old / +U new (Flink's upsert changelog).
import type { AggKernel } from '../core/kernels.js';
import type { Row } from '../core/row.js';
import { RowKind } from '../core/row.js';
import { fromSnapshotValue, toSnapshotValue } from './snapshot-values.js';

export interface GroupEntry {
  keys: unknown[];
  acc: any;
  /** Last emitted row; undefined before the first emission. */
  prev: Row | undefined;
  touched: boolean;
}

export class GroupState {
  readonly map = new Map<unknown, GroupEntry>();
  readonly touched: GroupEntry[] = [];

  constructor(private readonly kernel: AggKernel, private readonly keyNames: readonly string[]) {}

  /** Called by ingest code for a key seen for the first time. */
  add(key: unknown, keys: unknown[]): GroupEntry {
    const e: GroupEntry = { keys, acc: this.kernel.create(), prev: undefined, touched: false };
    this.map.set(key, e);
    return e;
  }

  /** Called by ingest code after accumulating into an entry. */
  touch(e: GroupEntry): void {
    if (!e.touched) { e.touched = true; this.touched.push(e); }
  }

  /** The changelog for the entries changed since the last call. */
  drainChanges(rows: Row[], kinds: RowKind[]): void {
    for (const e of this.touched) {
      e.touched = false;
      const row: Row = {};
      for (let i = 0; i < this.keyNames.length; i++) row[this.keyNames[i]] = e.keys[i];
      this.kernel.result(e.acc, row);
      if (e.prev === undefined) {
        rows.push(row); kinds.push(RowKind.INSERT);
      } else if (!sameRow(e.prev, row)) {
        rows.push(e.prev, row); kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
      }
      e.prev = row;
    }
    this.touched.length = 0;
  }

  snapshot(): unknown {
    return [...this.map].map(([k, e]) => [k, e.keys, toSnapshotValue(e.acc), e.prev ?? null]);
  }

  restore(s: unknown): void {
    this.map.clear();
    for (const [k, keys, acc, prev] of s as [unknown, unknown[], unknown, Row | null][]) {
      this.map.set(k, { keys, acc: fromSnapshotValue(acc), prev: prev ?? undefined, touched: false });
    }
  }
}

function sameRow(a: Row, b: Row): boolean {
  for (const k in b) if (a[k] !== b[k]) return false;
  return true;
}
