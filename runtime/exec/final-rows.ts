// The final rows of a changelog, sent once at the end of input as inserts: what a batch run emits where a
// stream sends updates (execution.runtime-mode = batch, runtime-mode.ts). A row's identity is its content, as
// in a changelog a -U/-D takes away a row equal to one sent before; equal rows are counted.
import type { OperatorMetrics } from '../core/metrics.js';
import { RowKind, type Row } from '../core/row.js';
import { rowContentKey } from '../state/join-state.js';
import type { Processor } from './processors.js';

/** Rows per emitted batch at the end (the size a source batch has). */
const CHUNK = 4096;

export class FinalRows implements Processor {
  readonly outputs: Processor[] = [];
  private readonly rows = new Map<string, { row: Row; count: number }>();

  /** `fields`: the row's columns; `metrics`: the operator whose output this is (its records out become the final rows). */
  constructor(private readonly fields: readonly string[], private readonly metrics: OperatorMetrics) {}

  process(rows: Row[], kinds: RowKind[] | null): void {
    for (let i = 0; i < rows.length; i++) {
      const k = rowContentKey(rows[i], this.fields);
      const kind = kinds === null ? RowKind.INSERT : kinds[i];
      const e = this.rows.get(k);
      if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) {
        if (e) e.count++;
        else this.rows.set(k, { row: rows[i], count: 1 });
      } else if (e && --e.count === 0) this.rows.delete(k);
    }
  }

  watermark(wm: number): void {
    for (const o of this.outputs) o.watermark(wm);
  }

  endInput(): void {
    let batch: Row[] = [];
    let n = 0;
    const send = () => { for (const o of this.outputs) o.process(batch, null); n += batch.length; batch = []; };
    for (const { row, count } of this.rows.values()) {
      for (let c = 0; c < count; c++) {
        batch.push(row);
        if (batch.length === CHUNK) send();
      }
    }
    if (batch.length) send();
    this.rows.clear();
    this.metrics.recordsOut = n;
    for (const o of this.outputs) o.endInput();
  }
}
