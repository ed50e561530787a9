// The window join operator (a `join` plan node with `window` columns), Flink's WindowJoinOperator step for step:
// each input row is kept under its key and its window's end, unless that window has fired already (its end - 1
// is at or before the watermark: the row is late and dropped, as Flink drops it); when the watermark reaches a
// window's end - 1, every key's rows of that window are joined (inner, or padded with NULLs on an outer side
// for rows that matched nothing) and dropped. So the output is append-only and the state holds only windows
// that have not fired yet. The watermark goes on as it came, after the windows it fires.
import type { DataType } from '../core/data-types.js';
import type { RowCondition } from '../core/kernels.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { JoinNode } from '../core/plan.js';
import type { Row, RowKind } from '../core/row.js';
import { fromSnapshotValue, toSnapshotValue } from '../state/snapshot-values.js';
import { TimedJoinProcessor, type ByKeyGroup } from './timed-join.js';

/** One key's rows of one window: left rows, right rows, in arrival order. */
type Pane = [Row[], Row[]];

export interface WindowJoinSettings {
  maxParallelism: number;
}

export class WindowJoinProcessor extends TimedJoinProcessor {
  private readonly endOf: [string, string];
  /** Window end → key → the key's rows of that window. */
  private readonly windows = new Map<number, Map<unknown, Pane>>();
  private wm = -Infinity;
  /** Rows dropped because their window had fired (Flink's leftNumLateRecordsDropped / right...). */
  readonly lateDropped: [number, number] = [0, 0];

  constructor(node: JoinNode, keyTypes: [DataType[], DataType[]], private readonly condition: RowCondition | null, metrics: OperatorMetrics, settings: WindowJoinSettings) {
    super(node, keyTypes, metrics, settings.maxParallelism);
    const w = node.window!;
    this.endOf = [w.leftEnd, w.rightEnd];
  }

  protected processBatch(rows: Row[], _kinds: RowKind[] | null, side: 0 | 1): void {
    for (const row of rows) this.processRow(row, side);
  }

  /** The inputs' watermark has advanced: the windows it passes are joined, then it goes on. */
  watermark(wm: number): void {
    this.wm = wm;
    this.fire(wm);
    super.watermark(wm);
  }

  /** Both inputs have ended: the final watermark fires every window left. */
  endInput(): void {
    if (this.wm !== Infinity) this.watermark(Infinity);
    super.endInput();
  }

  /** WindowJoinOperator.processElement: late rows are dropped, the others kept until their window fires. */
  private processRow(row: Row, side: 0 | 1): void {
    const end = row[this.endOf[side]] as number;
    if (end - 1 <= this.wm) {
      this.lateDropped[side]++;
      return;
    }
    this.keep(row, side, end);
  }

  private keep(row: Row, side: 0 | 1, end: number): void {
    // A row with a NULL key is kept too (an outer side pads it when its window fires); it never matches.
    const key = this.keyOf[side](row);
    let keys = this.windows.get(end);
    if (keys === undefined) this.windows.set(end, (keys = new Map()));
    let pane = keys.get(key);
    if (pane === undefined) keys.set(key, (pane = [[], []]));
    pane[side].push(this.joinRows.kept(row, side));
  }

  /** Joins and drops every window whose end - 1 is at or before `wm`, earliest first (Flink's timers fire in time order). */
  private fire(wm: number): void {
    const due = [...this.windows.keys()].filter((end) => end - 1 <= wm).sort((a, b) => a - b);
    for (const end of due) {
      for (const [key, pane] of this.windows.get(end)!) this.join(pane, key === null);
      this.windows.delete(end);
    }
    this.flush();
  }

  /** One key's rows of one window (Flink's Inner/LeftOuter/RightOuter/FullOuterJoinOperator.join). */
  private join([left, right]: Pane, nullKey: boolean): void {
    const matchedRight = this.outer[1] ? new Array<boolean>(right.length).fill(false) : null;
    for (const l of left) {
      let matched = false;
      if (!nullKey) {
        for (let r = 0; r < right.length; r++) {
          const pair = this.joinRows.joined(l, right[r]);
          if (this.condition !== null && this.condition(pair) !== true) continue;
          this.out.push(pair);
          matched = true;
          if (matchedRight !== null) matchedRight[r] = true;
        }
      }
      if (!matched && this.outer[0]) this.out.push(this.joinRows.joined(l, null));
    }
    if (matchedRight !== null) for (let r = 0; r < right.length; r++) if (!matchedRight[r]) this.out.push(this.joinRows.joined(null, right[r]));
  }

  /** Rows kept per side (tests). */
  stateSize(): [number, number] {
    const n: [number, number] = [0, 0];
    for (const keys of this.windows.values()) for (const pane of keys.values()) { n[0] += pane[0].length; n[1] += pane[1].length; }
    return n;
  }

  /** Kept rows per side by key group: the regular join's layout, so runtime/exec/redistribute.ts splits it the same way. */
  snapshot(): unknown {
    const sides: [ByKeyGroup<Row>, ByKeyGroup<Row>] = [{}, {}];
    for (const keys of this.windows.values()) {
      for (const pane of keys.values()) {
        for (const side of [0, 1] as const) for (const row of pane[side]) this.recordUnder(sides[side], side, row, toSnapshotValue(row) as Row);
      }
    }
    return { left: sides[0], right: sides[1] };
  }

  /** Restores the kept rows, each under its key and window end (the end is one of its columns). */
  restore(s: unknown): void {
    const snap = s as { left: Record<number, Row[]>; right: Record<number, Row[]> };
    this.windows.clear();
    [snap.left, snap.right].forEach((groups, i) => {
      const side = i as 0 | 1;
      for (const rows of Object.values(groups)) {
        for (const snapRow of rows) {
          const row = fromSnapshotValue(snapRow) as Row;
          this.keep(row, side, row[this.endOf[side]] as number);
        }
      }
    });
  }
}
