// Random changelogs for keyed-sink tests, and the reference answer computed from the changelog alone:
// applying +I/+U as "set the key's row" and -U/-D as "remove the key" to a Map, the way a table materializes
// a changelog. Sinks are checked against this, never against their own earlier output.
import { RowKind, type Batch, type Row } from '../../runtime/core/row.js';

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Change { kind: RowKind; row: Row }

/**
 * `steps` changes over the given keys: a new key is inserted, an existing one is updated (-U old, +U new) or
 * deleted, as an upsert changelog from a groupBy would be.
 */
export function randomChangelog(steps: number, keys: Row[], value: (random: () => number) => Row, seed: number): Change[] {
  const random = rng(seed);
  const current = new Map<number, Row>();
  const out: Change[] = [];
  for (let s = 0; s < steps; s++) {
    const k = Math.floor(random() * keys.length);
    const old = current.get(k);
    const next = { ...keys[k], ...value(random) };
    if (old === undefined) {
      out.push({ kind: RowKind.INSERT, row: next });
      current.set(k, next);
    } else if (random() < 0.7) {
      out.push({ kind: RowKind.UPDATE_BEFORE, row: old }, { kind: RowKind.UPDATE_AFTER, row: next });
      current.set(k, next);
    } else {
      out.push({ kind: RowKind.DELETE, row: old });
      current.delete(k);
    }
  }
  return out;
}

/** The table a changelog leaves behind, keyed by `keyOf`. */
export function materialize(changes: readonly Change[], keyOf: (row: Row) => string): Map<string, Row> {
  const table = new Map<string, Row>();
  for (const { kind, row } of changes) {
    if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) table.set(keyOf(row), row);
    else table.delete(keyOf(row));
  }
  return table;
}

/** Cuts a changelog into batches of random sizes (1..maxSize), as the runtime hands them to a sink. */
export function toBatches(changes: readonly Change[], maxSize: number, seed: number): Batch[] {
  const random = rng(seed);
  const batches: Batch[] = [];
  for (let i = 0; i < changes.length; ) {
    const part = changes.slice(i, i + 1 + Math.floor(random() * maxSize));
    i += part.length;
    const allInserts = part.every((c) => c.kind === RowKind.INSERT);
    batches.push({ rows: part.map((c) => c.row), kinds: allInserts ? null : part.map((c) => c.kind) });
  }
  return batches;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the time it took. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
