// ORDER BY / LIMIT (plan node `sort`, runtime/core/plan.ts): a batch sorts every row at the end of input; a
// stream sorts by an ascending time attribute as Flink's RowTimeSortOperator / ProcTimeSortOperator do (a
// Top-N or LIMIT on a stream is a rank, operator-graph.ts). Order is SQL's with Flink's NULL placement
// (rank/sorted-rows.ts); rows with equal sort keys keep their arrival order (a stable sort).
import type { OperatorMetrics } from '../../core/metrics.js';
import type { RankNode, SortNode } from '../../core/plan.js';
import { RowKind, type Row } from '../../core/row.js';
import { fromSnapshotValue, toSnapshotValue } from '../../state/snapshot-values.js';
import { Emitter, type Processor, type Stateful } from '../processors.js';
import { rankChangelog, rankStrategy, rankUpsertKey } from '../rank/rank-strategy.js';
import { rowComparator, type RowCompare } from '../rank/sorted-rows.js';

/** Rows per emitted batch at the end of a batch sort (the size a source batch has). */
const CHUNK = 4096;

/** The operator's name as Flink's explain writes it. */
export function sortName(n: SortNode): string {
  const order = `orderBy=[${n.orderBy.map((k) => `${k.column} ${k.desc ? 'DESC' : 'ASC'}`).join(', ')}]`;
  const limit = `offset=[${n.offset}], fetch=[${n.fetch ?? 'unlimited'}]`;
  if (n.fetch === null && n.offset === 0) return n.streaming === 'rowtime' || n.streaming === 'proctime' ? `TemporalSort(${order})` : `Sort(${order})`;
  return n.orderBy.length ? `SortLimit(${order}, ${limit})` : `Limit(${limit})`;
}

/**
 * A stream's Top-N or LIMIT as the rank it is in Flink's streaming plan (StreamPhysicalSortLimit / Limit →
 * Rank): no partition, the rows offset+1 .. offset+fetch, no row number; LIMIT alone keeps the first rows.
 */
export function sortAsRank(n: SortNode, input: { schema: RankNode['schema']; changelog: RankNode['changelog']; upsertKey?: string[] }): RankNode {
  const shape = { orderBy: n.orderBy, rankStart: n.offset + 1, rankEnd: n.offset + (n.fetch ?? 0), rankColumn: null, windowEnd: null };
  const strategy = n.streaming === 'limit' && input.changelog === 'insert-only' ? 'first-n' : rankStrategy(shape, input);
  return { kind: 'rank', id: n.id, input: n.input, partitionKeys: [], ...shape, strategy, schema: n.schema, changelog: n.changelog, upsertKey: n.upsertKey };
}

/** What a stream's sort sends (the plan's changelog: a temporal sort passes its insert-only input on), and its key. */
export function sortChangelog(n: Pick<SortNode, 'orderBy' | 'offset' | 'fetch' | 'streaming' | 'schema' | 'input'>, input: { schema: RankNode['schema']; changelog: RankNode['changelog']; upsertKey?: string[] }): Pick<SortNode, 'changelog' | 'upsertKey'> {
  if (n.streaming !== 'top-n' && n.streaming !== 'limit') return { changelog: input.changelog, upsertKey: input.upsertKey };
  const rank = sortAsRank({ ...n, kind: 'sort', id: '', changelog: 'insert-only' }, input);
  return { changelog: rankChangelog(rank.strategy), upsertKey: rankUpsertKey(rank) };
}

/** Batch: every row, sorted once the input ends; with a fetch only the first offset+fetch are kept meanwhile. */
export class BatchSort extends Emitter implements Processor {
  private rows: Row[] = [];
  private readonly compare: RowCompare;
  private readonly keep: number;

  constructor(private readonly node: SortNode, metrics: OperatorMetrics) {
    super(metrics);
    this.compare = rowComparator(node.orderBy);
    this.keep = node.fetch === null ? Infinity : node.offset + node.fetch;
  }

  process(rows: Row[]): void {
    this.metrics.recordsIn += rows.length;
    if (this.rows.length >= this.keep && this.node.orderBy.length === 0) return; // LIMIT alone: the first rows
    for (let i = 0; i < rows.length; i++) this.rows.push(rows[i]);
    // Sorting and cutting at twice the rows kept bounds memory and costs O(n log k) over the input.
    if (this.rows.length > 2 * this.keep + CHUNK) this.cut();
  }

  private cut(): void {
    if (this.node.orderBy.length) this.rows.sort(this.compare); // Array.prototype.sort is stable
    if (this.rows.length > this.keep) this.rows.length = this.keep;
  }

  watermark(): void {}

  endInput(): void {
    this.cut();
    const out = this.rows.slice(this.node.offset);
    this.rows = [];
    for (let i = 0; i < out.length; i += CHUNK) this.emit(out.slice(i, i + CHUNK), null);
    super.endInput();
  }
}

/**
 * A stream ordered by an ascending rowtime (Flink's RowTimeSortOperator): rows wait per timestamp until the
 * watermark reaches it, then go out by timestamp, equal timestamps in the order of the other ORDER BY columns;
 * a row whose timestamp is not after the last one sent is late and dropped.
 */
export class RowTimeSort extends Emitter implements Processor, Stateful {
  private byTime = new Map<number, Row[]>();
  private lastSent = -Infinity;
  private readonly time: string;
  private readonly then: RowCompare | null;

  constructor(node: SortNode, metrics: OperatorMetrics) {
    super(metrics);
    this.time = node.orderBy[0].column;
    this.then = node.orderBy.length > 1 ? rowComparator(node.orderBy.slice(1)) : null;
  }

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    for (let i = 0; i < rows.length; i++) {
      if (kinds !== null && kinds[i] !== RowKind.INSERT) continue; // an insert-only input (the compiler checks)
      const t = rows[i][this.time] as number | null;
      if (t === null || t <= this.lastSent) { this.metrics.lateRecordsDropped++; continue; }
      const at = this.byTime.get(t);
      if (at) at.push(rows[i]);
      else this.byTime.set(t, [rows[i]]);
    }
  }

  watermark(wm: number): void {
    this.fire(wm);
    super.watermark(wm);
  }

  endInput(): void {
    this.fire(Infinity);
    super.endInput();
  }

  private fire(wm: number): void {
    const due = [...this.byTime.keys()].filter((t) => t <= wm).sort((a, b) => a - b);
    if (due.length === 0) return;
    const out: Row[] = [];
    for (const t of due) {
      const rows = this.byTime.get(t)!;
      this.byTime.delete(t);
      if (this.then) rows.sort(this.then);
      for (const r of rows) out.push(r);
    }
    this.lastSent = due[due.length - 1];
    this.emit(out, null);
  }

  snapshot(): unknown {
    return { lastSent: Number.isFinite(this.lastSent) ? this.lastSent : null, rows: toSnapshotValue([...this.byTime.values()].flat()) };
  }

  restore(s: unknown): void {
    const snap = s as { lastSent: number | null; rows: unknown };
    this.lastSent = snap.lastSent ?? -Infinity;
    this.byTime = new Map();
    for (const r of fromSnapshotValue(snap.rows) as Row[]) {
      const t = r[this.time] as number;
      const at = this.byTime.get(t);
      if (at) at.push(r);
      else this.byTime.set(t, [r]);
    }
  }
}

/**
 * A stream ordered by an ascending proctime (Flink's ProcTimeSortOperator): rows go out in arrival order,
 * those that arrive together (one batch here, one millisecond in Flink) in the order of the other columns.
 */
export class ProcTimeSort extends Emitter implements Processor {
  private readonly then: RowCompare | null;

  constructor(node: SortNode, metrics: OperatorMetrics) {
    super(metrics);
    this.then = node.orderBy.length > 1 ? rowComparator(node.orderBy.slice(1)) : null;
  }

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    const out = kinds === null ? rows.slice() : rows.filter((_, i) => kinds[i] === RowKind.INSERT);
    if (this.then) out.sort(this.then);
    this.emit(out, null);
  }
}
