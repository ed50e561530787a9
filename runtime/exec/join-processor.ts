// The regular join operator (plan node `join`), Flink's StreamingJoinOperator step for step, so that its
// changelog is Flink's: an accumulating row (+I/+U) joins the other side's matching rows (+I, or its own kind
// +U when neither side is outer), a retracting row (-U/-D) takes its joined rows back (-D, or its own kind);
// an outer side's row with no match goes out padded with NULLs, and is taken back (-D) when its first match
// comes and sent again (+I) when its last match goes. Both sides are kept in state per join key
// (state/join-state.ts) with `table.exec.state.ttl`; the snapshot is per key group. The watermark out is the
// minimum over both inputs; the input ends when both have.
// A semi or anti join (an IN / EXISTS subquery) is Flink's StreamingSemiAntiJoinOperator: a left row goes out with
// its own kind while it has a match (semi) or none (anti), and the right side's rows only change how many matches
// the left rows have: a left row's first match sends it (semi, +I) or takes it back (anti, -D), its last one going
// does the opposite.
// In batch mode (execution.runtime-mode = batch) the output is final and insert-only, as Flink's batch joins:
// matches go out as they are found (inputs are insert-only in a batch, runtime-mode.ts), and an outer side's
// rows are padded with NULLs only at the end of both inputs, those that never matched.
import type { DataType } from '../core/data-types.js';
import type { RowCondition } from '../core/kernels.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { JoinNode } from '../core/plan.js';
import { compositeKey } from '../core/kernels.js';
import { rowBuilder, RowKind, type Row, type RowBuilder } from '../core/row.js';
import { JoinSideState, type JoinRecord } from '../state/join-state.js';
import { rowKeyGroup } from './key-groups.js';
import { UnionProcessor, type Processor, type Stateful } from './processors.js';

/** What the runtime needs from a join's side: its state, its columns and whether it is outer. */
interface Side {
  state: JoinSideState;
  fields: readonly string[];
  outer: boolean;
  keyOf: (row: Row) => unknown;
}

export interface JoinSettings {
  /** `table.exec.state.ttl` in ms; 0: no expiry. */
  ttlMs: number;
  /** `pipeline.max-parallelism`: the number of key groups snapshots are split into. */
  maxParallelism: number;
  now?: () => number;
  /** A batch run: unmatched outer rows are padded once, at the end of input. */
  batch?: boolean;
  /** Per input (left, right): its changelog is insert-only, so its state needs no lookup by content. */
  insertOnly?: [boolean, boolean];
}

export class JoinProcessor extends UnionProcessor implements Stateful {
  private readonly sides: [Side, Side];
  private readonly build: RowBuilder;
  private readonly values: unknown[];
  private readonly keyGroup: [(row: Row) => number, (row: Row) => number];
  /** Output of the batch being processed. */
  private out: Row[] = [];
  private outKinds: RowKind[] = [];
  private readonly batch: boolean;
  /** A semi or anti join: only left rows go out. */
  private readonly filtering: 'semi' | 'anti' | null;

  constructor(private readonly node: JoinNode, inputTypes: [DataType[], DataType[]], private readonly condition: RowCondition | null, metrics: OperatorMetrics, settings: JoinSettings) {
    super(2, metrics);
    this.batch = settings.batch ?? false;
    const now = settings.now ?? Date.now;
    const side = (fields: string[], keys: string[], outer: boolean, insertOnly: boolean): Side => {
      const keyOf = joinKey(keys);
      return { state: new JoinSideState(keyOf, fields, settings.ttlMs, now, insertOnly), fields, outer, keyOf };
    };
    const t = node.joinType;
    const [leftInsertOnly, rightInsertOnly] = settings.insertOnly ?? [false, false];
    this.filtering = t === 'semi' || t === 'anti' ? t : null;
    // A batch sends an anti join's left rows at the end, those that never matched, as an outer side's padded rows.
    this.sides = [side(node.leftFields, node.leftKeys, t === 'left' || t === 'full' || t === 'anti', leftInsertOnly), side(node.rightFields, node.rightKeys, t === 'right' || t === 'full', rightInsertOnly)];
    this.build = rowBuilder(node.schema.map((f) => f.name));
    this.values = new Array(node.schema.length);
    this.keyGroup = [rowKeyGroup(node.leftKeys, inputTypes[0], settings.maxParallelism), rowKeyGroup(node.rightKeys, inputTypes[1], settings.maxParallelism)];
  }

  /** Input `i` (0 left, 1 right): rows join here; watermarks and the end go through the union's bookkeeping. */
  port(i: number): Processor {
    const base = super.port(i);
    return {
      process: (rows, kinds) => {
        this.metrics.recordsIn += rows.length;
        const [input, other] = i === 0 ? [this.sides[0], this.sides[1]] : [this.sides[1], this.sides[0]];
        input.state.sweep();
        other.state.sweep();
        for (let r = 0; r < rows.length; r++) this.processRow(rows[r], kinds === null ? RowKind.INSERT : kinds[r], i === 0, input, other);
        const out = this.out;
        const outKinds = this.outKinds;
        this.out = [];
        this.outKinds = [];
        this.emit(out, outKinds.every((k) => k === RowKind.INSERT) ? null : outKinds);
      },
      watermark: base.watermark,
      endInput: this.batch ? () => { this.inputsEnded++; if (this.inputsEnded === 2) this.padUnmatched(); base.endInput(); } : base.endInput,
    };
  }

  private inputsEnded = 0;

  /** Batch: the outer sides' rows that joined nothing, padded with NULLs, before the end goes on. */
  private padUnmatched(): void {
    for (let s = 0; s < 2; s++) {
      if (!this.sides[s].outer) continue;
      for (const rec of this.sides[s].state.records()) {
        if (rec.assoc === 0) for (let c = 0; c < rec.count; c++) this.pad(rec.row, s === 0, RowKind.INSERT);
      }
    }
    const out = this.out;
    this.out = [];
    this.outKinds = [];
    this.emit(out, null);
  }

  /** StreamingJoinOperator.processElement. */
  private processRow(row: Row, kind: RowKind, inputIsLeft: boolean, input: Side, other: Side): void {
    const key = input.keyOf(row);
    const bucket = key === null ? undefined : other.state.get(key);
    // The other side's rows this row joins (with their counts): equal keys and the rest of the condition.
    const matches: JoinRecord[] = [];
    let matched = 0;
    if (bucket !== undefined) {
      for (const rec of bucket.values()) {
        if (this.condition !== null && this.condition(this.joined(inputIsLeft ? row : rec.row, inputIsLeft ? rec.row : row)) !== true) continue;
        matches.push(rec);
        matched += rec.count;
      }
    }
    const accumulate = kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
    if (this.filtering) {
      this.semiAnti(row, kind, accumulate, key, inputIsLeft, input, other, matches, matched);
      return;
    }
    if (accumulate) {
      // A batch pads a kept row at the end, if it is still unmatched then; a NULL key never matches.
      if (input.outer && matched === 0 && (!this.batch || key === null)) this.pad(row, inputIsLeft, RowKind.INSERT);
      if (other.outer) {
        for (const rec of matches) {
          if (rec.assoc === 0 && !this.batch) for (let c = 0; c < rec.count; c++) this.pad(rec.row, !inputIsLeft, RowKind.DELETE);
          other.state.setAssoc(rec, rec.assoc + 1);
        }
      }
      // An outer side sends inserts; an inner side facing an inner side keeps its own kind (+U stays +U).
      const outKind = input.outer || other.outer ? RowKind.INSERT : kind;
      for (const rec of matches) for (let c = 0; c < rec.count; c++) this.pair(row, rec.row, inputIsLeft, outKind);
      if (key !== null) input.state.add(key, row, matched);
    } else {
      if (key !== null) input.state.retract(key, row);
      if (matched === 0) {
        if (input.outer) this.pad(row, inputIsLeft, RowKind.DELETE);
        return;
      }
      const outKind = input.outer ? RowKind.DELETE : kind;
      for (const rec of matches) for (let c = 0; c < rec.count; c++) this.pair(row, rec.row, inputIsLeft, outKind);
      if (other.outer) {
        for (const rec of matches) {
          if (rec.assoc === 1) for (let c = 0; c < rec.count; c++) this.pad(rec.row, !inputIsLeft, RowKind.INSERT);
          other.state.setAssoc(rec, rec.assoc - 1);
        }
      }
    }
  }

  /** StreamingSemiAntiJoinOperator.processElement: left rows go out padded (the right columns are NULL). */
  private semiAnti(row: Row, kind: RowKind, accumulate: boolean, key: unknown, inputIsLeft: boolean, input: Side, other: Side, matches: JoinRecord[], matched: number): void {
    const anti = this.filtering === 'anti';
    if (inputIsLeft) {
      // A batch sends an anti join's rows at the end (padUnmatched); one with a NULL key never matches: at once.
      const deferred = anti && this.batch && key !== null;
      if (matched > 0 !== anti && !deferred) this.pad(row, true, kind);
    } else {
      for (const rec of matches) {
        // The first match of a left row (accumulating) or its last (retracting).
        if ((accumulate ? rec.assoc === 0 : rec.assoc === 1) && !(anti && this.batch)) {
          const out = accumulate !== anti ? RowKind.INSERT : RowKind.DELETE;
          for (let c = 0; c < rec.count; c++) this.pad(rec.row, true, out);
        }
        other.state.setAssoc(rec, rec.assoc + (accumulate ? 1 : -1));
      }
    }
    if (key === null) return;
    if (accumulate) input.state.add(key, row, matched);
    else input.state.retract(key, row);
  }

  /** The output row of a left and a right row (either may be null: NULL padding). */
  private joined(left: Row | null, right: Row | null): Row {
    const [l, r] = this.sides;
    const v = this.values;
    for (let i = 0; i < l.fields.length; i++) v[i] = left === null ? null : (left[l.fields[i]] ?? null);
    const off = l.fields.length;
    for (let i = 0; i < r.fields.length; i++) v[off + i] = right === null ? null : (right[r.fields[i]] ?? null);
    return this.build(v);
  }

  private pair(row: Row, otherRow: Row, inputIsLeft: boolean, kind: RowKind): void {
    this.out.push(inputIsLeft ? this.joined(row, otherRow) : this.joined(otherRow, row));
    this.outKinds.push(kind);
  }

  private pad(row: Row, rowIsLeft: boolean, kind: RowKind): void {
    this.out.push(rowIsLeft ? this.joined(row, null) : this.joined(null, row));
    this.outKinds.push(kind);
  }

  /** Rows kept per side (tests, TTL). */
  stateSize(): [number, number] {
    return [this.sides[0].state.size(), this.sides[1].state.size()];
  }

  snapshot(): unknown {
    return { left: this.sides[0].state.snapshot(this.keyGroup[0]), right: this.sides[1].state.snapshot(this.keyGroup[1]) };
  }

  restore(s: unknown): void {
    const snap = s as { left: Parameters<JoinSideState['restore']>[0]; right: Parameters<JoinSideState['restore']>[0] };
    this.sides[0].state.restore(snap.left);
    this.sides[1].state.restore(snap.right);
  }
}

/** A row's join key: the value for one column, compositeKey's string for several, 0 for none; null when a key column is NULL. */
/** The key of a row's columns with NULL a value like any other: how Flink keys a temporal join's state (NULL joins NULL there). */
export function stateKey(keys: readonly string[]): (row: Row) => unknown {
  if (keys.length === 0) return () => 0;
  if (keys.length === 1) { const [k] = keys; return (row) => row[k] ?? null; }
  return (row) => compositeKey(keys.map((k) => row[k] ?? null));
}

export function joinKey(keys: readonly string[]): (row: Row) => unknown {
  if (keys.length === 0) return () => 0;
  if (keys.length === 1) { const [k] = keys; return (row) => row[k] ?? null; }
  return (row) => {
    const vs = keys.map((k) => row[k] ?? null);
    return vs.includes(null) ? null : compositeKey(vs);
  };
}
