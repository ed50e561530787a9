// What the time-driven joins (interval, window and temporal joins) share: per side the join key, the key group
// a row's state is snapshotted under (the regular join's layout, so runtime/exec/redistribute.ts splits them all
// alike), whether the side is outer, the output rows (join-rows.ts), and the two input ports: rows go to the
// join's processBatch, watermarks and the end of input through the union's bookkeeping (the minimum over both
// inputs), which calls the join's watermark() and endInput().
import type { DataType } from '../core/data-types.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { JoinNode } from '../core/plan.js';
import { RowKind, type Row } from '../core/row.js';
import { joinKey, stateKey } from './join-processor.js';
import { JoinRows } from './join-rows.js';
import { rowKeyGroup } from './key-groups.js';
import { UnionProcessor, type Processor, type Stateful } from './processors.js';

/** Snapshot records of one side (or kind of state) by key group. */
export type ByKeyGroup<T> = Record<number, T[]>;

export abstract class TimedJoinProcessor extends UnionProcessor implements Stateful {
  protected readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown];
  protected readonly keyGroup: [(row: Row) => number, (row: Row) => number];
  protected readonly outer: [boolean, boolean];
  protected readonly joinRows: JoinRows;
  /** Output waiting for flush(). */
  protected out: Row[] = [];
  /** The kinds of `out`, for a join that passes its input's row kinds on (the temporal join); null: inserts. */
  protected outKinds: RowKind[] | null = null;

  /** `nullKeysMatch`: a NULL key is a key like any other (the temporal join's); else a row with one matches nothing (joinKey gives null). */
  constructor(node: JoinNode, keyTypes: [DataType[], DataType[]], metrics: OperatorMetrics, maxParallelism: number, nullKeysMatch = false) {
    super(2, metrics);
    const t = node.joinType;
    const key = nullKeysMatch ? stateKey : joinKey;
    this.keyOf = [key(node.leftKeys), key(node.rightKeys)];
    this.keyGroup = [rowKeyGroup(node.leftKeys, keyTypes[0], maxParallelism), rowKeyGroup(node.rightKeys, keyTypes[1], maxParallelism)];
    this.outer = [t === 'left' || t === 'full', t === 'right' || t === 'full'];
    this.joinRows = new JoinRows([node.leftFields, node.rightFields], node.schema.map((f) => f.name));
  }

  /** Input `i` (0 left, 1 right). */
  port(i: number): Processor {
    const base = super.port(i);
    const side = i as 0 | 1;
    return {
      process: (rows, kinds) => {
        this.metrics.recordsIn += rows.length;
        this.processBatch(rows, kinds, side);
      },
      watermark: base.watermark,
      endInput: base.endInput,
    };
  }

  /** A batch of rows of one input. */
  protected abstract processBatch(rows: Row[], kinds: RowKind[] | null, side: 0 | 1): void;

  abstract snapshot(): unknown;
  abstract restore(state: unknown): void;

  /** Sends the output collected so far (kinds only when some row is not an insert). */
  protected flush(): void {
    if (this.out.length === 0) return;
    const out = this.out;
    const kinds = this.outKinds;
    this.out = [];
    this.outKinds = kinds && [];
    this.emit(out, kinds === null || kinds.every((k) => k === RowKind.INSERT) ? null : kinds);
  }

  /** Adds a snapshot record under the key group of `row` (a row of `side`). */
  protected recordUnder<T>(groups: ByKeyGroup<T>, side: 0 | 1, row: Row, record: T): void {
    (groups[this.keyGroup[side](row)] ??= []).push(record);
  }
}
