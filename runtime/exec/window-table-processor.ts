// A window table function read on its own (Flink's AlignedWindowTableFunctionOperator): each row goes out at
// once, one copy per window it falls in, with window_start, window_end and window_time (end - 1) appended.
// Stateless; a row whose time is NULL is dropped, and late rows are not (Flink keeps them too: what comes
// after, a window Top-N for instance, judges them against its own watermark).
import type { OperatorMetrics } from '../core/metrics.js';
import type { WindowTableNode } from '../core/plan.js';
import type { Row, RowKind } from '../core/row.js';
import { assignWindows } from '../state/window-assign.js';
import { Emitter, type Processor } from './processors.js';

export class WindowTableProcessor extends Emitter implements Processor {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(private readonly node: WindowTableNode, metrics: OperatorMetrics) { super(metrics); }

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    const { window } = this.node;
    const time = window.timeColumn;
    const out: Row[] = [];
    const outKinds: RowKind[] | null = kinds === null ? null : [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const ts = row[time];
      if (ts === null || ts === undefined) continue;
      const n = assignWindows(window, ts as number, -Infinity, this.starts, this.ends);
      for (let w = 0; w < n; w++) {
        out.push({ ...row, window_start: this.starts[w], window_end: this.ends[w], window_time: this.ends[w] - 1 });
        outKinds?.push(kinds![i]);
      }
    }
    this.emit(out, outKinds);
  }
}
