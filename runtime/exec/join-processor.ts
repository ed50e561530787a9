// The regular join operator (plan node `join`), Flink's StreamingJoinOperator step for step, so that its
// changelog is Flink's: an accumulating row (+I/+U) joins the other side's matching rows (+I, or its own kind
// +U when neither side is outer), a retracting row (-U/-D) takes its joined rows back (-D, or its own kind);
// an outer side's row with no match goes out padded with NULLs, and is taken back (-D) when its first match
// comes and sent again (+I) when its last match goes. Both sides are kept in state per join key
// (state/join-state.ts) with `table.exec.state.ttl`; an insert-only side with no TTL that counts no associations
// keeps only its rows' values (state/flat-join-state.ts), and a row of the other side joins them as it walks them.
// The snapshot is per key group. The watermark out is the minimum over both inputs; the input ends when both have.
// The rows that go out are built by generated code (join-rows.ts), or, when the calcs reading the join are fused
// into it (FusedNode.joinOutput), are those calcs' rows, made from the pair directly.
// A semi or anti join (an IN / EXISTS subquery) is Flink's StreamingSemiAntiJoinOperator: a left row goes out with
// its own kind while it has a match (semi) or none (anti), and the right side's rows only change how many matches
// the left rows have: a left row's first match sends it (semi, +I) or takes it back (anti, -D), its last one going
// does the opposite.
// In batch mode (execution.runtime-mode = batch) the output is final and insert-only, as Flink's batch joins:
// matches go out as they are found (inputs are insert-only in a batch, runtime-mode.ts), and an outer side's
// rows are padded with NULLs only at the end of both inputs, those that never matched.
import type { DataType } from '../core/data-types.js';
import type { JoinOutput, RowCondition } from '../core/kernels.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { JoinNode } from '../core/plan.js';
import { compositeKey } from '../core/kernels.js';
import { RowKind, type Row } from '../core/row.js';
import { FlatJoinSide, flatLayouts, type FlatLayout } from '../state/flat-join-state.js';
import { JoinSideState, type JoinRecord } from '../state/join-state.js';
import { JoinRows, type FlatPair } from './join-rows.js';
import { rowKeyGroup } from './key-groups.js';
import { UnionProcessor, type Processor, type Stateful } from './processors.js';

/**
 * What the runtime needs from a join's side: its state (by content with counts, associations and TTL times, or,
 * for an insert-only side that needs none of them, its values flat: exactly one of `state` and `flat` is set), its
 * columns, whether it is outer, and the joined row of one of its input rows with a row the other side keeps flat
 * (`withFlat`, which the condition reads) and the output row of the two (`outWithFlat`: the same, or with the
 * calcs of a fused output applied).
 */
interface Side {
  state: JoinSideState | null;
  flat: FlatJoinSide | null;
  fields: readonly string[];
  outer: boolean;
  keyOf: (row: Row) => unknown;
  withFlat: FlatPair;
  outWithFlat: JoinOutput['leftWithFlat'];
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
  /**
   * The output rows with the calcs of the fused node reading the join applied (FusedNode.joinOutput; only for a
   * join without a condition beyond its keys); absent: the joined rows go out as they are.
   */
  output?: JoinOutput;
}

export class JoinProcessor extends UnionProcessor implements Stateful {
  private readonly sides: [Side, Side];
  /** Joined rows (what the condition reads), and the rows that go out (the same, or a fused output's). */
  private readonly rows: JoinRows;
  private readonly output: JoinOutput;
  private readonly keyGroup: [(row: Row) => number, (row: Row) => number];
  /** Output of the batch being processed, and its kinds once one is not an insert (null while all are). */
  private out: Row[] = [];
  private outKinds: RowKind[] | null = null;
  private readonly batch: boolean;
  /** A semi or anti join: only left rows go out. */
  private readonly filtering: 'semi' | 'anti' | null;

  constructor(private readonly node: JoinNode, inputTypes: [DataType[], DataType[]], private readonly condition: RowCondition | null, metrics: OperatorMetrics, settings: JoinSettings) {
    super(2, metrics);
    this.batch = settings.batch ?? false;
    const now = settings.now ?? Date.now;
    const t = node.joinType;
    this.filtering = t === 'semi' || t === 'anti' ? t : null;
    const layouts = flatLayouts(node);
    this.rows = new JoinRows([node.leftFields, node.rightFields], node.schema.map((f) => f.name), layouts);
    if (settings.output && condition !== null) throw new Error(`join ${node.id}: a fused output with a condition beyond the keys`);
    this.output = settings.output ?? this.rows;
    const output = this.output;
    const [leftInsertOnly, rightInsertOnly] = settings.insertOnly ?? [false, false];
    const side = (fields: string[], keys: string[], layout: FlatLayout, outer: boolean, insertOnly: boolean, counted: boolean, withFlat: FlatPair, outWithFlat: JoinOutput['leftWithFlat']): Side => {
      const keyOf = joinKey(keys);
      // Rows with nothing to count (associations) or expire are only values (state/flat-join-state.ts); a side
      // with no columns kept (a cross join reading nothing of it) counts its rows by content.
      const flat = insertOnly && settings.ttlMs === 0 && !counted && fields.length > 0;
      return {
        state: flat ? null : new JoinSideState(keyOf, fields, settings.ttlMs, now, insertOnly),
        flat: flat ? new FlatJoinSide(keyOf, fields, layout, now) : null,
        fields, outer, keyOf, withFlat, outWithFlat,
      };
    };
    // A batch sends an anti join's left rows at the end, those that never matched, as an outer side's padded rows.
    // A semi/anti join counts the matches of its left rows.
    const leftOuter = t === 'left' || t === 'full' || t === 'anti';
    const rightOuter = t === 'right' || t === 'full';
    this.sides = [
      side(node.leftFields, node.leftKeys, layouts[0], leftOuter, leftInsertOnly, leftOuter || this.filtering !== null, this.rows.leftWithFlat, output.leftWithFlat),
      side(node.rightFields, node.rightKeys, layouts[1], rightOuter, rightInsertOnly, rightOuter, this.rows.rightWithFlat, output.rightWithFlat),
    ];
    this.keyGroup = [rowKeyGroup(node.leftKeys, inputTypes[0], settings.maxParallelism), rowKeyGroup(node.rightKeys, inputTypes[1], settings.maxParallelism)];
  }

  /** Input `i` (0 left, 1 right): rows join here; watermarks and the end go through the union's bookkeeping. */
  port(i: number): Processor {
    const base = super.port(i);
    return {
      process: (rows, kinds) => {
        this.metrics.recordsIn += rows.length;
        const [input, other] = i === 0 ? [this.sides[0], this.sides[1]] : [this.sides[1], this.sides[0]];
        input.state?.sweep();
        other.state?.sweep();
        const inputIsLeft = i === 0;
        if (other.flat !== null && this.filtering === null) {
          for (let r = 0; r < rows.length; r++) this.joinFlat(rows[r], kinds === null ? RowKind.INSERT : kinds[r], inputIsLeft, input, other.flat);
        } else {
          for (let r = 0; r < rows.length; r++) this.processRow(rows[r], kinds === null ? RowKind.INSERT : kinds[r], inputIsLeft, input, other);
        }
        const out = this.out;
        const outKinds = this.outKinds;
        this.out = [];
        this.outKinds = null;
        this.emit(out, outKinds);
      },
      watermark: base.watermark,
      endInput: this.batch ? () => { this.inputsEnded++; if (this.inputsEnded === 2) this.padUnmatched(); base.endInput(); } : base.endInput,
    };
  }

  private inputsEnded = 0;

  /** Batch: the outer sides' rows that joined nothing, padded with NULLs, before the end goes on. */
  private padUnmatched(): void {
    for (let s = 0; s < 2; s++) {
      const { outer, state } = this.sides[s];
      // An outer side counts associations: its state is never flat.
      if (!outer || state === null) continue;
      for (const rec of state.records()) {
        if (rec.assoc === 0) for (let c = 0; c < rec.count; c++) this.pad(rec.row, s === 0, RowKind.INSERT);
      }
    }
    const out = this.out;
    this.out = [];
    this.outKinds = null;
    this.emit(out, null);
  }

  /**
   * processRow when the other side keeps its rows flat: that side is not outer (it counts no associations) and
   * has each row once, so the pairs go out as they are found, with no list of matches first. The same changes as
   * processRow in the same order: pairs, or the input row padded when it is outer and nothing matched.
   */
  private joinFlat(row: Row, kind: RowKind, inputIsLeft: boolean, input: Side, other: FlatJoinSide): void {
    const key = input.keyOf(row);
    const accumulate = kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
    if (!accumulate && key !== null) this.remove(input, key, row);
    let matched = 0;
    const values = key === null ? undefined : other.get(key);
    if (values !== undefined) {
      // An outer input sends inserts (deletes when retracting); an inner one facing an inner side keeps its kind.
      const outKind = input.outer ? (accumulate ? RowKind.INSERT : RowKind.DELETE) : kind;
      // With a condition the output is the joined row itself (a fused output has none: the constructor checks).
      const pair = input.outWithFlat;
      const condition = this.condition;
      for (let o = 0, stride = other.stride; o < values.length; o += stride) {
        const joined = pair(row, values, o);
        if (condition !== null && condition(joined as Row) !== true) continue;
        matched++;
        // A fused output's filter may drop the row (send skips it): the match counts all the same.
        this.send(joined, outKind);
      }
    }
    // A batch pads a kept row at the end, if it is still unmatched then; a NULL key never matches.
    if (input.outer && matched === 0 && (!accumulate || !this.batch || key === null)) this.pad(row, inputIsLeft, accumulate ? RowKind.INSERT : RowKind.DELETE);
    if (accumulate && key !== null) this.keep(input, key, row, matched);
  }

  /** StreamingJoinOperator.processElement. */
  private processRow(row: Row, kind: RowKind, inputIsLeft: boolean, input: Side, other: Side): void {
    const key = input.keyOf(row);
    // The other side's rows this row joins (with their counts): equal keys and the rest of the condition.
    const matches: JoinRecord[] = [];
    let matched = 0;
    if (key !== null && other.flat !== null) {
      // A semi/anti join's left row facing a flat right side: only how many rows match counts.
      const values = other.flat.get(key);
      if (values !== undefined) {
        for (let o = 0; o < values.length; o += other.flat.stride) {
          if (this.condition === null || this.condition(input.withFlat(row, values, o)) === true) matched++;
        }
      }
    }
    const bucket = key === null || other.state === null ? undefined : other.state.get(key);
    if (bucket !== undefined) {
      for (const rec of bucket.values()) {
        if (this.condition !== null && this.condition(this.rows.joined(inputIsLeft ? row : rec.row, inputIsLeft ? rec.row : row)) !== true) continue;
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
          other.state!.setAssoc(rec, rec.assoc + 1);
        }
      }
      // An outer side sends inserts; an inner side facing an inner side keeps its own kind (+U stays +U).
      const outKind = input.outer || other.outer ? RowKind.INSERT : kind;
      for (const rec of matches) for (let c = 0; c < rec.count; c++) this.pair(row, rec.row, inputIsLeft, outKind);
      if (key !== null) this.keep(input, key, row, matched);
    } else {
      if (key !== null) this.remove(input, key, row);
      if (matched === 0) {
        if (input.outer) this.pad(row, inputIsLeft, RowKind.DELETE);
        return;
      }
      const outKind = input.outer ? RowKind.DELETE : kind;
      for (const rec of matches) for (let c = 0; c < rec.count; c++) this.pair(row, rec.row, inputIsLeft, outKind);
      if (other.outer) {
        for (const rec of matches) {
          if (rec.assoc === 1) for (let c = 0; c < rec.count; c++) this.pad(rec.row, !inputIsLeft, RowKind.INSERT);
          other.state!.setAssoc(rec, rec.assoc - 1);
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
        other.state!.setAssoc(rec, rec.assoc + (accumulate ? 1 : -1));
      }
    }
    if (key === null) return;
    if (accumulate) this.keep(input, key, row, matched);
    else this.remove(input, key, row);
  }

  /** Keeps an input row (with its number of associations, for a side that counts them). */
  private keep(side: Side, key: unknown, row: Row, assoc: number): void {
    if (side.flat !== null) side.flat.add(key, row);
    else side.state!.add(key, row, assoc);
  }

  private remove(side: Side, key: unknown, row: Row): void {
    if (side.flat !== null) side.flat.retract(key, row);
    else side.state!.retract(key, row);
  }

  private pair(row: Row, otherRow: Row, inputIsLeft: boolean, kind: RowKind): void {
    this.send(inputIsLeft ? this.output.joined(row, otherRow) : this.output.joined(otherRow, row), kind);
  }

  private pad(row: Row, rowIsLeft: boolean, kind: RowKind): void {
    this.send(rowIsLeft ? this.output.joined(row, null) : this.output.joined(null, row), kind);
  }

  /** An output row, unless a fused output's filter dropped it (null); kinds are kept from the first non-insert on. */
  private send(row: Row | null, kind: RowKind): void {
    if (row === null) return;
    if (kind !== RowKind.INSERT && this.outKinds === null) this.outKinds = new Array<RowKind>(this.out.length).fill(RowKind.INSERT);
    this.out.push(row);
    if (this.outKinds !== null) this.outKinds.push(kind);
  }

  /** Rows kept per side (tests, TTL). */
  stateSize(): [number, number] {
    return [this.stateOf(0).size(), this.stateOf(1).size()];
  }

  private stateOf(s: 0 | 1): JoinSideState | FlatJoinSide {
    return this.sides[s].flat ?? this.sides[s].state!;
  }

  snapshot(): unknown {
    return { left: this.stateOf(0).snapshot(this.keyGroup[0]), right: this.stateOf(1).snapshot(this.keyGroup[1]) };
  }

  restore(s: unknown): void {
    const snap = s as { left: Parameters<JoinSideState['restore']>[0]; right: Parameters<JoinSideState['restore']>[0] };
    this.stateOf(0).restore(snap.left);
    this.stateOf(1).restore(snap.right);
  }
}

/** The key of a row's columns with NULL a value like any other: how Flink keys a temporal join's state (NULL joins NULL there). */
export function stateKey(keys: readonly string[]): (row: Row) => unknown {
  if (keys.length === 0) return () => 0;
  if (keys.length === 1) { const [k] = keys; return (row) => row[k] ?? null; }
  return (row) => compositeKey(keys.map((k) => row[k] ?? null));
}

/** A row's join key: the value for one column, compositeKey's string for several, 0 for none; null when a key column is NULL. */
export function joinKey(keys: readonly string[]): (row: Row) => unknown {
  if (keys.length === 0) return () => 0;
  if (keys.length === 1) { const [k] = keys; return (row) => row[k] ?? null; }
  return (row) => {
    const vs = keys.map((k) => row[k] ?? null);
    return vs.includes(null) ? null : compositeKey(vs);
  };
}
