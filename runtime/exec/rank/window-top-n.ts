// Window Top-N (Flink's WindowRankOperator): the rows of one window and partition are ranked once, when the
// watermark passes the window's end, and the top rows go out as inserts; nothing is updated afterwards.
// Rows of a window the watermark has already passed are late and dropped. Window deduplication (Flink's
// WindowDeduplicateOperator) is the same with one row kept per window and partition instead of all of them.
import { RowKind, type Row } from '../../core/row.js';
import type { RowCompare } from './sorted-rows.js';
import type { Collect, PartitionRanker, RankRange } from './top-n.js';

export interface WindowPartition {
  rows: Row[];
  key: unknown;
}

/**
 * Deduplication keeps one row: the first in time (a later row replaces it only when strictly earlier) or the
 * last (a row at least as late replaces it), as Flink's RowTimeDeduplicateRecordsCombiner decides.
 */
export interface WindowDedup {
  time: string;
  last: boolean;
}

export class WindowTopN implements PartitionRanker<WindowPartition> {
  /** Partitions with rows, by window end (ms). */
  private readonly byEnd = new Map<number, Set<WindowPartition>>();
  watermark = -Infinity;
  late = 0;
  /** Called for a partition once its window fired (the processor forgets it). */
  onFired: (key: unknown) => void = () => {};

  constructor(private readonly compare: RowCompare, private readonly range: RankRange, private readonly windowEnd: string, private readonly dedup: WindowDedup | null) {}

  create(): WindowPartition { return { rows: [], key: undefined }; }

  process(p: WindowPartition, row: Row): void {
    const end = row[this.windowEnd] as number;
    if (end - 1 <= this.watermark) { this.late++; return; }
    if (p.rows.length === 0) this.pendingAt(end).add(p);
    const d = this.dedup;
    if (d === null) p.rows.push(row);
    else if (p.rows.length === 0 || replaces(row[d.time] as number, p.rows[0][d.time] as number, d.last)) p.rows[0] = row;
  }

  fire(wm: number, collect: Collect): void {
    this.watermark = Math.max(this.watermark, wm);
    const due = [...this.byEnd.keys()].filter((end) => end - 1 <= wm).sort((a, b) => a - b);
    for (const end of due) {
      for (const p of this.byEnd.get(end)!) {
        if (this.dedup) {
          collect(p.rows[0], RowKind.INSERT);
          this.onFired(p.key);
          continue;
        }
        // Array.prototype.sort is stable: rows with equal sort keys keep their arrival order, as in Flink's buffer.
        const sorted = p.rows.sort(this.compare);
        for (let i = this.range.start - 1; i < Math.min(sorted.length, this.range.end); i++) {
          collect(sorted[i], RowKind.INSERT, i + 1);
        }
        this.onFired(p.key);
      }
      this.byEnd.delete(end);
    }
  }

  private pendingAt(end: number): Set<WindowPartition> {
    let s = this.byEnd.get(end);
    if (!s) this.byEnd.set(end, (s = new Set()));
    return s;
  }

  snapshot(p: WindowPartition): unknown { return p.rows; }

  restore(s: unknown): WindowPartition {
    const p = { rows: s as Row[], key: undefined };
    if (p.rows.length) this.pendingAt(p.rows[0][this.windowEnd] as number).add(p);
    return p;
  }
}

const replaces = (ts: number, kept: number, last: boolean) => (last ? ts >= kept : ts < kept);
