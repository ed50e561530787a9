// Deduplication (ROW_NUMBER() ... ORDER BY a time attribute, rn = 1), as Flink's deduplicate functions:
// keep the first row on processing time (inserts only), keep the last row on processing or event time (the
// newer row replaces the kept one: -U old, +U new; on processing time an identical row changes nothing), and
// keep the first row on event time, which waits for the watermark (RowTimeDeduplicateKeepFirstRowFunction):
// the row with the smallest time is emitted once the watermark passes it, as an insert, and rows behind the
// watermark are dropped as late.
import { RowKind, type Row } from '../../core/row.js';
import { rowsEqual } from './sorted-rows.js';
import type { Collect, PartitionRanker } from './top-n.js';

export class KeepFirstOnProcTime implements PartitionRanker<{ seen: boolean }> {
  create(): { seen: boolean } { return { seen: false }; }

  process(state: { seen: boolean }, row: Row, _kind: RowKind, collect: Collect): void {
    if (state.seen) return;
    state.seen = true;
    collect(row, RowKind.INSERT);
  }

  snapshot(): unknown { return 1; }
  restore(): { seen: boolean } { return { seen: true }; }
}

export class KeepLast implements PartitionRanker<{ last: Row | null }> {
  /** `time`: the event-time column (a row older than the kept one is ignored), or null on processing time. */
  constructor(private readonly time: string | null, private readonly columns: readonly string[]) {}

  create(): { last: Row | null } { return { last: null }; }

  process(state: { last: Row | null }, row: Row, _kind: RowKind, collect: Collect): void {
    const prev = state.last;
    if (this.time !== null) {
      if (prev !== null && (prev[this.time] as number) > (row[this.time] as number)) return;
    } else if (prev !== null && rowsEqual(prev, row, this.columns)) {
      return;
    }
    state.last = row;
    if (prev === null) collect(row, RowKind.INSERT);
    else { collect(prev, RowKind.UPDATE_BEFORE); collect(row, RowKind.UPDATE_AFTER); }
  }

  snapshot(state: { last: Row | null }): unknown { return state.last; }
  restore(s: unknown): { last: Row | null } { return { last: s as Row }; }
}

/** Partition state of the event-time keep-first: the row waiting for the watermark, or done once emitted. */
export interface FirstOnRowTime {
  waiting: Row | null;
  emitted: boolean;
}

export class KeepFirstOnRowTime implements PartitionRanker<FirstOnRowTime> {
  /** Partitions with a row waiting for the watermark. */
  readonly pending = new Set<FirstOnRowTime>();
  watermark = -Infinity;
  late = 0;

  constructor(private readonly time: string) {}

  create(): FirstOnRowTime { return { waiting: null, emitted: false }; }

  process(state: FirstOnRowTime, row: Row): void {
    const ts = row[this.time] as number | null;
    if (ts === null) return;
    if (ts < this.watermark) { this.late++; return; }
    if (state.emitted) return;
    if (state.waiting === null || ts < (state.waiting[this.time] as number)) {
      state.waiting = row;
      this.pending.add(state);
    }
  }

  /** Emits, in time order, the rows the watermark has passed (Flink's event-time timers). */
  fire(wm: number, collect: Collect): void {
    this.watermark = Math.max(this.watermark, wm);
    const due = [...this.pending].filter((s) => (s.waiting![this.time] as number) <= wm);
    due.sort((a, b) => (a.waiting![this.time] as number) - (b.waiting![this.time] as number));
    for (const s of due) {
      collect(s.waiting!, RowKind.INSERT);
      s.waiting = null;
      s.emitted = true;
      this.pending.delete(s);
    }
  }

  snapshot(state: FirstOnRowTime): unknown { return state.emitted ? 1 : state.waiting; }

  restore(s: unknown): FirstOnRowTime {
    if (s === 1) return { waiting: null, emitted: true };
    const state = { waiting: s as Row, emitted: false };
    this.pending.add(state);
    return state;
  }
}
