// The collect sink: appends every changelog row, with its kind, to a process-wide buffer by id.
import type { SinkContext, SinkWriter } from '../../core/connector.js';
import type { Row } from '../../core/row.js';
import { RowKind } from '../../core/row.js';

const BUFFERS_KEY = Symbol.for('sluice.collect');

export function collectBuffers(): Map<string, { kind: RowKind; row: Row }[]> {
  const g = globalThis as unknown as Record<symbol, Map<string, { kind: RowKind; row: Row }[]>>;
  return (g[BUFFERS_KEY] ??= new Map());
}

export function createSink(ctx: SinkContext): SinkWriter {
  const id = ctx.options.id;
  const buffer = collectBuffers().get(id) ?? [];
  collectBuffers().set(id, buffer);
  return {
    async open() {},
    write(batch) {
      for (let i = 0; i < batch.rows.length; i++) {
        buffer.push({ kind: batch.kinds === null ? RowKind.INSERT : batch.kinds[i], row: batch.rows[i] });
      }
      ctx.metrics.recordsOut += batch.rows.length;
    },
    async flush() {},
    async close() {},
  };
}

/** Applies a changelog: inserts and updates-after add a row, updates-before and deletes remove an equal one. */
export function materialize(changelog: { kind: RowKind; row: Row }[]): Row[] {
  const rows: Row[] = [];
  for (const { kind, row } of changelog) {
    if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) rows.push(row);
    else {
      const i = rows.findIndex((r) => Object.keys(row).every((k) => r[k] === row[k]));
      if (i >= 0) rows.splice(i, 1);
    }
  }
  return rows;
}
