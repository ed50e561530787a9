// The snapshot of a keyed operator, with every piece of its state marked with its key group (Flink's keyed
// state handles with their key-group ranges), so that a snapshot taken at one parallelism is split among the
// subtasks of another by whole key groups (runtime/exec/redistribute.ts), plus the operator's event-time
// progress. Pieces stay in the order the operator keeps them: walking them in key-group order instead (entries
// scattered over the heap) made JSON.stringify of 200 k entries twice as slow (bench/snapshot-cost.ts).
// Which key group a key is in is the exchange's business (runtime/exec/key-groups.ts); the state classes
// receive it as a function.

/** The key group of a key, given the key columns' values in key order. */
export type KeyGroupOf = (keys: readonly unknown[]) => number;

/** A piece of keyed state: its key group first, then what the operator needs to restore it. */
export type KeyedItem = [number, ...unknown[]];

export interface KeyedSnapshot {
  /** `pipeline.max-parallelism` the key groups were computed for. */
  maxParallelism: number;
  /** The operator's pieces of state, by kind of piece (e.g. windows, sessions). */
  lists: Record<string, KeyedItem[]>;
  /**
   * The operator's watermark, when it has one (null: none yet). Behind a hash exchange with aligned barriers
   * every subtask has seen the same watermarks at a snapshot, so merged parts take the minimum.
   */
  watermark?: number | null;
}

export function isKeyedSnapshot(s: unknown): s is KeyedSnapshot {
  const o = s as KeyedSnapshot;
  return typeof o === 'object' && o !== null && !Array.isArray(o) && typeof o.lists === 'object' && o.lists !== null && typeof o.maxParallelism === 'number';
}
