// Top-N per partition, emitting the changes Flink's rank functions emit, in the same order: AppendOnlyTopN
// (an append-only input; only the top rows are kept), AppendOnlyFirstN (ordered by proctime ascending: the
// first N rows, inserts only) and RetractableTopN (an updating input; every row is kept, as Flink keeps it,
// since a retraction may bring a row back into the top). With the row number output (or a range not starting
// at 1) a row entering the top moves the ones below it down by one: -U/+U per moved row; without it, the row
// falling out is deleted (-D) and the new one inserted (+I).
import { literalKey, RowKind, type Row } from '../../core/row.js';
import { SortedRows, rowsEqual, type RowCompare } from './sorted-rows.js';

/** Sends a change downstream; with a rank it is dropped outside the range and, when output, carries the number. */
export type Collect = (row: Row, kind: RowKind, rank?: number) => void;

export interface RankRange {
  start: number;
  end: number;
  /** The algorithm that tracks row numbers (the row number is output, or the range starts after 1). */
  withNumber: boolean;
}

/** A ranking algorithm over the state of one partition. */
export interface PartitionRanker<S> {
  create(): S;
  process(state: S, row: Row, kind: RowKind, collect: Collect): void;
  snapshot(state: S): unknown;
  restore(s: unknown): S;
}

const isAccumulate = (k: RowKind) => k === RowKind.INSERT || k === RowKind.UPDATE_AFTER;

/**
 * Keeps a copy of each row that enters its top (only the input's columns), never the input row itself: its
 * input rows can be handed back to the source to decode the next ones into (RankProcessor.releasesInput).
 */
export class AppendTopN implements PartitionRanker<SortedRows> {
  private readonly copy: (row: Row) => Row;

  constructor(private readonly compare: RowCompare, private readonly range: RankRange, private readonly columns: readonly string[]) {
    this.copy = new Function('r', `return { ${columns.map((c) => `${literalKey(c)}: r[${JSON.stringify(c)}] ?? null`).join(', ')} };`) as (row: Row) => Row;
  }

  create(): SortedRows { return new SortedRows(this.compare); }

  process(buf: SortedRows, input: Row, _kind: RowKind, collect: Collect): void {
    const { end } = this.range;
    if (!buf.inRange(input, end)) return;
    const row = this.copy(input);
    const own = buf.put(row);
    if (this.range.withNumber) {
      let rank = 0;
      let cur = row;
      let i = 0;
      for (; i < buf.entries.length && rank <= end; i++) {
        const rows = buf.entries[i].rows;
        if (i === own) {
          rank += rows.length;
        } else if (i > own) {
          for (let j = 0; j < rows.length && rank <= end; j++) {
            const prev = rows[j];
            collect(prev, RowKind.UPDATE_BEFORE, rank);
            collect(cur, RowKind.UPDATE_AFTER, rank);
            cur = prev;
            rank++;
          }
        } else {
          rank += rows.length;
        }
      }
      if (rank <= end) collect(cur, RowKind.INSERT, rank);
      buf.truncate(i); // sort keys past the end are out of the top for good
      return;
    }
    if (buf.count > end) {
      const lastIndex = buf.entries.length - 1;
      const last = buf.entries[lastIndex];
      const lastRow = last.rows[last.rows.length - 1];
      if (last.rows.length <= 1) buf.removeEntry(lastIndex);
      else { last.rows.pop(); buf.count--; }
      if (rowsEqual(row, lastRow, this.columns)) return;
      collect(lastRow, RowKind.DELETE);
    }
    collect(row, RowKind.INSERT);
  }

  snapshot(buf: SortedRows): unknown { return buf.snapshot(); }
  restore(s: unknown): SortedRows { const b = this.create(); b.restore(s as Row[][]); return b; }
}

/** The first N rows of each partition, in arrival order: rows after the N-th are dropped. */
export class FirstN implements PartitionRanker<{ n: number }> {
  constructor(private readonly range: RankRange) {}

  create(): { n: number } { return { n: 0 }; }

  process(state: { n: number }, row: Row, _kind: RowKind, collect: Collect): void {
    if (state.n >= this.range.end) return;
    state.n++;
    if (this.range.withNumber) collect(row, RowKind.INSERT, state.n);
    else collect(row, RowKind.INSERT);
  }

  snapshot(state: { n: number }): unknown { return state.n; }
  restore(s: unknown): { n: number } { return { n: s as number }; }
}

export class RetractTopN implements PartitionRanker<SortedRows> {
  constructor(private readonly compare: RowCompare, private readonly range: RankRange, private readonly columns: readonly string[]) {}

  create(): SortedRows { return new SortedRows(this.compare); }

  process(buf: SortedRows, row: Row, kind: RowKind, collect: Collect): void {
    if (isAccumulate(kind)) {
      const own = buf.put(row);
      if (this.range.withNumber) this.emitWithNumber(buf, own, row, collect);
      else this.emitWithoutNumber(buf, own, row, collect);
      return;
    }
    const own = buf.find(row);
    if (own < 0) return; // retraction of a row never seen (Flink logs it and goes on)
    if (this.range.withNumber) this.retractWithNumber(buf, own, row, collect);
    else this.retractWithoutNumber(buf, own, row, collect);
    if (buf.entries[own].rows.length === 0) buf.entries.splice(own, 1);
  }

  private emitWithNumber(buf: SortedRows, own: number, row: Row, collect: Collect): void {
    const { end } = this.range;
    let rank = 0;
    let cur = row;
    for (let i = 0; i < buf.entries.length && rank <= end; i++) {
      const rows = buf.entries[i].rows;
      if (i === own) rank += rows.length;
      else if (i > own) {
        for (let j = 0; j < rows.length && rank <= end; j++) {
          const prev = rows[j];
          collect(prev, RowKind.UPDATE_BEFORE, rank);
          collect(cur, RowKind.UPDATE_AFTER, rank);
          cur = prev;
          rank++;
        }
      } else rank += rows.length;
    }
    if (rank <= end) collect(cur, RowKind.INSERT, rank);
  }

  private emitWithoutNumber(buf: SortedRows, own: number, row: Row, collect: Collect): void {
    const { start, end } = this.range;
    let rank = 0;
    let toCollect: Row | null = null;
    let toDelete: Row | null = null;
    for (let i = 0; i < buf.entries.length && rank <= end; i++) {
      const rows = buf.entries[i].rows;
      if (i === own) {
        rank += rows.length;
        if (rank >= start && rank <= end) toCollect = row;
      } else if (i > own) {
        const last = rank + rows.length;
        if (last <= end) rank = last;
        else { toDelete = rows[end - rank]; break; }
      } else rank += rows.length;
    }
    if (toDelete) collect(toDelete, RowKind.DELETE);
    if (toCollect) collect(toCollect, RowKind.INSERT);
  }

  private retractWithNumber(buf: SortedRows, own: number, row: Row, collect: Collect): void {
    const { end } = this.range;
    let rank = 0;
    let prev: Row | null = null;
    let found = false;
    for (let i = 0; i < buf.entries.length && rank <= end; i++) {
      const rows = buf.entries[i].rows;
      if (i === own) {
        for (let j = 0; j < rows.length && rank <= end;) {
          const cur = rows[j];
          if (!found && rowsEqual(cur, row, this.columns)) {
            prev = cur;
            found = true;
            rows.splice(j, 1);
            buf.count--;
            rank++;
            continue;
          }
          if (found) {
            collect(prev!, RowKind.UPDATE_BEFORE, rank);
            collect(cur, RowKind.UPDATE_AFTER, rank);
            prev = cur;
          }
          rank++;
          j++;
        }
        if (!found) break;
      } else if (i > own) {
        for (let j = 0; j < rows.length && rank <= end; j++) {
          const cur = rows[j];
          collect(prev!, RowKind.UPDATE_BEFORE, rank);
          collect(cur, RowKind.UPDATE_AFTER, rank);
          prev = cur;
          rank++;
        }
      } else rank += rows.length;
    }
    if (!found) this.removeLater(buf, own, row);
    else if (rank <= end) collect(prev!, RowKind.DELETE, rank);
  }

  private retractWithoutNumber(buf: SortedRows, own: number, row: Row, collect: Collect): void {
    const { end } = this.range;
    let next = 1;
    let found = false;
    for (let i = 0; i < buf.entries.length && next <= end; i++) {
      const rows = buf.entries[i].rows;
      if (i === own) {
        for (let j = 0; j < rows.length && next <= end;) {
          const cur = rows[j];
          if (!found && rowsEqual(cur, row, this.columns)) {
            collect(cur, RowKind.DELETE, next);
            found = true;
            rows.splice(j, 1);
            buf.count--;
            continue; // next stays: the rows after it move up to its number
          }
          if (found && next === end) collect(cur, RowKind.INSERT, next);
          next++;
          j++;
        }
        if (!found) break;
      } else if (i > own) {
        const last = next + rows.length - 1;
        if (last < end) next = last + 1;
        else { collect(rows[end - next], RowKind.INSERT); break; }
      } else next += rows.length;
    }
    if (!found) this.removeLater(buf, own, row);
  }

  /** A row past the end of the walk (beyond the top) leaves the state without output. */
  private removeLater(buf: SortedRows, own: number, row: Row): void {
    const rows = buf.entries[own].rows;
    const j = rows.findIndex((r) => rowsEqual(r, row, this.columns));
    if (j >= 0) { rows.splice(j, 1); buf.count--; }
  }

  snapshot(buf: SortedRows): unknown { return buf.snapshot(); }
  restore(s: unknown): SortedRows { const b = this.create(); b.restore(s as Row[][]); return b; }
}
