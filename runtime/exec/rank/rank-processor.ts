// The rank operator: rows are grouped by their partition key and handed, one by one and in arrival order, to
// the node's algorithm (rank-strategy.ts picks it; top-n.ts, deduplicate.ts, window-top-n.ts run it), which
// emits Flink's changes for each. Watermarks fire the event-time ones. State is one entry per partition key,
// snapshotted with the key's values and key group (state/keyed-snapshot.ts), so that it restores at any
// parallelism; the rank's hash exchange routes rows by the same key groups.
import type { Field } from '../../core/data-types.js';
import { compositeKey } from '../../core/kernels.js';
import type { OperatorMetrics } from '../../core/metrics.js';
import type { RankNode } from '../../core/plan.js';
import { literalKey, RowKind, type Row } from '../../core/row.js';
import { isKeyedSnapshot, type KeyedItem, type KeyedSnapshot, type KeyGroupOf } from '../../state/keyed-snapshot.js';
import { fromSnapshotValue, toSnapshotFlat, toSnapshotValue } from '../../state/snapshot-values.js';
import { Emitter, type Processor, type Stateful } from '../processors.js';
import { KeepFirstOnProcTime, KeepFirstOnRowTime, KeepLast } from './deduplicate.js';
import { rowComparator } from './sorted-rows.js';
import { AppendTopN, FirstN, RetractTopN, type Collect, type PartitionRanker, type RankRange } from './top-n.js';
import { WindowTopN } from './window-top-n.js';

type Timed = PartitionRanker<unknown> & { fire(wm: number, collect: Collect): void; late: number; watermark: number };

/** A partition in a snapshot: key group, the partition key's values, the ranker's state of it. */
type PartitionItem = [number, unknown[], unknown];
/** The snapshot before key groups: [partition key's values, ranker state] per partition. */
interface LegacySnapshot { partitions: [unknown[], unknown][] }

function rankerOf(n: RankNode, input: readonly Field[]): PartitionRanker<unknown> {
  const compare = rowComparator(n.orderBy);
  const range: RankRange = { start: n.rankStart, end: n.rankEnd ?? Infinity, withNumber: n.rankColumn !== null || n.rankStart > 1 };
  const columns = input.map((f) => f.name);
  const time = n.orderBy[0]?.column ?? '';
  switch (n.strategy) {
    case 'dedup-proctime-first': return new KeepFirstOnProcTime();
    case 'dedup-proctime-last': return new KeepLast(null, columns);
    case 'dedup-rowtime-last': return new KeepLast(time, columns);
    case 'dedup-rowtime-first': return new KeepFirstOnRowTime(time);
    case 'first-n': return new FirstN(range);
    case 'append-top-n': return new AppendTopN(compare, range, columns);
    case 'retract-top-n': return new RetractTopN(compare, range, columns);
    case 'window-top-n': return new WindowTopN(compare, range, n.windowEnd!, null);
    case 'window-dedup-first': case 'window-dedup-last': return new WindowTopN(compare, range, n.windowEnd!, { time, last: n.strategy === 'window-dedup-last' });
  }
}

export class RankProcessor extends Emitter implements Processor, Stateful {
  private readonly partitions = new Map<unknown, { keys: unknown[]; state: unknown }>();
  private readonly ranker: PartitionRanker<unknown>;
  private readonly timed: Timed | null;
  private readonly out: { rows: Row[]; kinds: RowKind[] } = { rows: [], kinds: [] };
  private readonly collect: Collect;

  constructor(private readonly node: RankNode, input: readonly Field[], metrics: OperatorMetrics, private readonly keyGroupOf: KeyGroupOf, private readonly maxParallelism: number) {
    super(metrics);
    this.ranker = rankerOf(node, input);
    this.timed = 'fire' in this.ranker ? (this.ranker as Timed) : null;
    if (this.ranker instanceof WindowTopN) this.ranker.onFired = (key) => this.partitions.delete(key);
    const { rankStart: start, rankColumn } = node;
    const end = node.rankEnd ?? Infinity;
    // A row with its number is built by one generated object literal over the output's columns: a spread with a
    // computed key made an object of its own shape per row, slow to make and to read downstream (a third of a
    // Top-N's time, bench/README.md).
    const columns = node.schema.map((f) => `${literalKey(f.name)}: ${f.name === rankColumn ? 'n' : `r[${JSON.stringify(f.name)}] ?? null`}`);
    const numbered = new Function('r', 'n', `return { ${columns.join(', ')} };`) as (row: Row, rank: number) => Row;
    this.collect = (row, kind, rank) => {
      if (rank !== undefined && (rank < start || rank > end)) return;
      this.out.rows.push(rankColumn !== null && rank !== undefined ? numbered(row, rank) : row);
      this.out.kinds.push(kind);
    };
  }

  private keyOf(keys: unknown[]): unknown {
    return keys.length === 0 ? 0 : keys.length === 1 ? keys[0] : compositeKey(keys);
  }

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    const names = this.node.partitionKeys;
    // One partition column (the usual case) is its own key: no array of key values per row, only per partition.
    const single = names.length === 1 ? names[0] : null;
    const lateBefore = this.timed?.late ?? 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const key = single !== null ? (row[single] ?? null) : this.keyOf(names.map((k) => row[k] ?? null));
      let p = this.partitions.get(key);
      if (p === undefined) {
        p = { keys: names.map((k) => row[k] ?? null), state: this.ranker.create() };
        if (this.ranker instanceof WindowTopN) (p.state as { key: unknown }).key = key;
        this.partitions.set(key, p);
      }
      this.ranker.process(p.state, row, kinds === null ? RowKind.INSERT : kinds[i], this.collect);
    }
    if (this.timed) this.metrics.lateRecordsDropped += this.timed.late - lateBefore;
    this.flush();
  }

  watermark(wm: number): void {
    if (this.timed) { this.timed.fire(wm, this.collect); this.flush(); }
    super.watermark(wm);
  }

  endInput(): void {
    if (this.timed) { this.timed.fire(Infinity, this.collect); this.flush(); }
    super.endInput();
  }

  private flush(): void {
    const { rows, kinds } = this.out;
    if (rows.length === 0) return;
    this.out.rows = [];
    this.out.kinds = [];
    this.emit(rows, kinds.every((k) => k === RowKind.INSERT) ? null : kinds);
  }

  snapshot(): KeyedSnapshot {
    const partitions: KeyedItem[] = [];
    for (const p of this.partitions.values()) partitions.push([this.keyGroupOf(p.keys), toSnapshotFlat(p.keys), toSnapshotValue(this.ranker.snapshot(p.state))]);
    const snap: KeyedSnapshot = { maxParallelism: this.maxParallelism, lists: { partitions } };
    // Event-time rankers drop rows behind the watermark they have seen; restored, they go on doing so.
    if (this.timed) snap.watermark = this.timed.watermark === -Infinity ? null : this.timed.watermark;
    return snap;
  }

  restore(s: unknown): void {
    this.partitions.clear();
    const snap = isKeyedSnapshot(s) ? s : RankProcessor.fromLegacy(s, this.keyGroupOf, this.maxParallelism);
    for (const [, snapKeys, state] of snap.lists.partitions as PartitionItem[]) {
      const keys = fromSnapshotValue(snapKeys) as typeof snapKeys;
      const key = this.keyOf(keys);
      const restored = this.ranker.restore(fromSnapshotValue(state));
      if (this.ranker instanceof WindowTopN) (restored as { key: unknown }).key = key;
      this.partitions.set(key, { keys, state: restored });
    }
    if (this.timed && typeof snap.watermark === 'number') this.timed.watermark = snap.watermark;
  }

  /** A snapshot from before key groups as a KeyedSnapshot (redistribute.ts converts old savepoints with it). */
  static fromLegacy(s: unknown, keyGroupOf: KeyGroupOf, maxParallelism: number): KeyedSnapshot {
    const partitions = (s as LegacySnapshot).partitions.map(([keys, state]): PartitionItem => [keyGroupOf(keys), keys, state]);
    return { maxParallelism, lists: { partitions: partitions as KeyedItem[] } };
  }
}
