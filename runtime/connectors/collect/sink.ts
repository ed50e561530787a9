// The collect sink: appends every changelog row, with its kind, to a process-wide buffer by id, or hands it
// to a consumer registered under that id (something outside the bundle that takes rows as they come: the
// benchmark's capture), without wrapping each row for a buffer.
import type { SinkContext, SinkWriter } from '../../core/connector.js';
import { kindOf, RowKind, type Row } from '../../core/row.js';

const BUFFERS_KEY = Symbol.for('sluice.collect');

/** Takes a collect sink's rows one by one, in changelog order (rows are not to be changed). */
export interface CollectConsumer {
  accept(row: Row, kind: RowKind): void;
}

type CollectTarget = { kind: RowKind; row: Row }[] | CollectConsumer;

export function collectBuffers(): Map<string, CollectTarget> {
  const g = globalThis as unknown as Record<symbol, Map<string, CollectTarget>>;
  return (g[BUFFERS_KEY] ??= new Map());
}

export function createSink(ctx: SinkContext): SinkWriter {
  const id = ctx.options.id;
  const target = collectBuffers().get(id) ?? [];
  collectBuffers().set(id, target);
  return {
    async open() {},
    write(batch) {
      const { rows } = batch;
      if (Array.isArray(target)) {
        for (let i = 0; i < rows.length; i++) target.push({ kind: kindOf(batch, i), row: rows[i] });
      } else {
        for (let i = 0; i < rows.length; i++) target.accept(rows[i], kindOf(batch, i));
      }
      ctx.metrics.recordsOut += rows.length;
    },
    async flush() {},
    async close() {},
  };
}

/** What the collect sink with this id wrote (nothing if it never ran), removed from the process-wide map. */
export function takeCollected(id: string): { kind: RowKind; row: Row }[] {
  const target = collectBuffers().get(id) ?? [];
  collectBuffers().delete(id);
  if (!Array.isArray(target)) throw new Error(`collect sink '${id}' handed its rows to a consumer, which keeps them`);
  return target;
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
