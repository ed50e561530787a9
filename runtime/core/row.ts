// Rows and batches: the unit that flows between sources, fused stages and sinks.
// A row is a plain object keyed by column name; a batch carries the changelog kind of each row
// (or null when every row is an insert, the common case that fused code checks once per batch).

export type Row = Record<string, unknown>;

export const enum RowKind { INSERT = 0, UPDATE_BEFORE = 1, UPDATE_AFTER = 2, DELETE = 3 }

export const ROW_KIND_SHORT = ['+I', '-U', '+U', '-D'] as const;

export interface Batch {
  rows: Row[];
  /** Changelog kind per row; null means all rows are inserts. */
  kinds: RowKind[] | null;
}

export const insertBatch = (rows: Row[]): Batch => ({ rows, kinds: null });

export const kindOf = (batch: Batch, i: number): RowKind => (batch.kinds === null ? RowKind.INSERT : batch.kinds[i]);

/** Changelog modes: what a plan node produces and what a sink accepts. */
export type ChangelogMode = 'insert-only' | 'upsert' | 'retract';
