// The OVER aggregate operator (Flink's StreamExecOverAggregate and its process functions in
// org.apache.flink.table.runtime.operators.over), one state entry per partition key:
// - event time, bounded frame (RowTimeRowsBoundedPrecedingFunction / RowTimeRangeBoundedPrecedingFunction):
//   rows wait in `rows` (by timestamp) for the watermark; a row whose timestamp is not after the last one
//   this key processed is late and dropped; a timer per timestamp retracts what left the frame, accumulates
//   and emits. RANGE also has Flink's cleanup timer (state cleared once a key is idle 1.5 frames), which decides
//   what counts as late afterwards.
// - event time, UNBOUNDED PRECEDING (RowTime{Rows,Range}UnboundedPrecedingFunction): a row at or behind the
//   watermark is late; the rest are processed in timestamp order when the watermark passes them.
// - processing time (ProcTime*PrecedingFunction): each row goes out at once; a RANGE frame's rows of one
//   millisecond share their value.
// With ROWS, rows of one timestamp each see the rows before them; with RANGE they all see each other.
import type { Field } from '../../core/data-types.js';
import { compositeKey } from '../../core/kernels.js';
import type { OperatorMetrics } from '../../core/metrics.js';
import type { OverAggregateNode } from '../../core/plan.js';
import type { Row, RowKind } from '../../core/row.js';
import type { UdfFunctions } from '../../core/udf.js';
import type { KeyedItem, KeyedSnapshot, KeyGroupOf } from '../../state/keyed-snapshot.js';
import { fromSnapshotValue, toSnapshotFlat, toSnapshotValue } from '../../state/snapshot-values.js';
import { Emitter, type Processor, type Stateful } from '../processors.js';
import { overAggs, type OverAccs, type OverAggs } from './over-aggs.js';

/** One partition key's state, as Flink keeps it per key. */
interface KeyState {
  keys: unknown[];
  /** The accumulators (null until the first row is processed or after a cleanup). */
  accs: OverAccs | null;
  /** Rows by timestamp (event time: waiting, or inside a bounded frame; processing time: inside the frame). */
  rows: Map<number, Row[]>;
  /** The last timestamp a timer processed (Flink's lastTriggeringTsState, 0 when unset). */
  lastTriggering: number;
  /** Rows within the frame (ROWS frames: Flink's processedCountState). */
  count: number;
  /** RANGE on event time: the pending cleanup timer (Flink's cleanupTsState). */
  cleanupAt: number | null;
}

export class OverAggregateProcessor extends Emitter implements Processor, Stateful {
  private readonly keyed = new Map<unknown, KeyState>();
  private readonly aggs: OverAggs;
  /** Event-time timers: timestamp → keys with a timer there (Flink's timer service dedups per key and time). */
  private readonly timers = new Map<number, Set<unknown>>();
  private watermarkMs = -Infinity;
  private readonly preceding: number;
  private readonly rows: boolean;
  private readonly scratch: Row = {};
  private readonly callNames: string[];
  private out: Row[] = [];
  /** Processing-time RANGE: the rows of this batch per key, not yet emitted. */
  private readonly procPending = new Map<KeyState, Row[]>();

  constructor(private readonly node: OverAggregateNode, input: readonly Field[], metrics: OperatorMetrics,
    private readonly keyGroupOf: KeyGroupOf, private readonly maxParallelism: number, functions: UdfFunctions = {}) {
    super(metrics);
    this.aggs = overAggs(node.calls, input, functions);
    this.rows = node.frame.unit === 'rows';
    // ROWS n PRECEDING holds n + 1 rows; RANGE an interval of milliseconds before the current row.
    this.preceding = node.frame.preceding === null ? Infinity : node.frame.preceding + (this.rows ? 1 : 0);
    this.callNames = node.calls.map((c) => c.name);
  }

  private keyOf(keys: unknown[]): unknown {
    return keys.length === 0 ? 0 : keys.length === 1 ? keys[0] : compositeKey(keys);
  }

  private state(key: unknown, keys: unknown[]): KeyState {
    let s = this.keyed.get(key);
    if (!s) this.keyed.set(key, (s = { keys, accs: null, rows: new Map(), lastTriggering: 0, count: 0, cleanupAt: null }));
    return s;
  }

  process(rows: Row[], _kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    const { partitionKeys, orderBy } = this.node;
    const event = this.node.time === 'event';
    const now = event ? 0 : Date.now();
    for (const row of rows) {
      const keys = partitionKeys.map((k) => row[k] ?? null);
      const key = this.keyOf(keys);
      const s = this.state(key, keys);
      if (event) this.addEventRow(key, s, row, row[orderBy] as number | null);
      else this.procRow(s, row, now);
    }
    if (!event && !this.rows && this.preceding !== Infinity) this.fireProcRange(now);
    this.flush();
  }

  // ---- event time ----

  private addEventRow(key: unknown, s: KeyState, row: Row, ts: number | null): void {
    if (ts === null) { this.metrics.lateRecordsDropped++; return; }
    if (this.preceding === Infinity) {
      // AbstractRowTimeUnboundedPrecedingOver: late when at or behind the watermark; one timer per key for the next watermark.
      if (ts <= this.watermarkMs) { this.metrics.lateRecordsDropped++; return; }
      this.register(key, this.watermarkMs < 0 ? 0 : this.watermarkMs + 1);
      this.bucket(s, ts).push(row);
      return;
    }
    if (ts <= s.lastTriggering) { this.metrics.lateRecordsDropped++; return; }
    const at = s.rows.get(ts);
    if (at) at.push(row);
    else { s.rows.set(ts, [row]); this.register(key, ts); }
    if (!this.rows) {
      // RowTimeRangeBoundedPrecedingFunction.registerCleanupTimer
      const min = ts + this.preceding + 1;
      const max = ts + Math.floor(this.preceding * 1.5) + 1;
      if (s.cleanupAt === null || s.cleanupAt < min) { this.register(key, max); s.cleanupAt = max; }
    }
  }

  private bucket(s: KeyState, ts: number): Row[] {
    let b = s.rows.get(ts);
    if (!b) s.rows.set(ts, (b = []));
    return b;
  }

  private register(key: unknown, ts: number): void {
    let keys = this.timers.get(ts);
    if (!keys) this.timers.set(ts, (keys = new Set()));
    keys.add(key);
  }

  watermark(wm: number): void {
    if (this.node.time === 'event' && wm > this.watermarkMs) {
      this.watermarkMs = wm;
      this.fireTimers(wm);
      this.flush();
    }
    super.watermark(wm);
  }

  endInput(): void {
    // The end of bounded input is the final watermark (Long.MAX_VALUE in Flink): every waiting row goes out.
    if (this.node.time === 'event') this.watermark(Number.MAX_SAFE_INTEGER);
    super.endInput();
  }

  private fireTimers(wm: number): void {
    if (this.preceding === Infinity) { this.fireUnbounded(wm); return; }
    for (;;) {
      let next = Infinity;
      for (const ts of this.timers.keys()) if (ts <= wm && ts < next) next = ts;
      if (next === Infinity) return;
      const keys = this.timers.get(next)!;
      this.timers.delete(next);
      for (const key of keys) {
        const s = this.keyed.get(key);
        if (s) this.onTimer(key, s, next);
      }
    }
  }

  private onTimer(key: unknown, s: KeyState, ts: number): void {
    if (!this.rows && s.cleanupAt !== null && s.cleanupAt <= ts) {
      // The key was idle for 1.5 frames: Flink clears its state, including the last processed timestamp.
      this.keyed.delete(key);
      return;
    }
    const inputs = s.rows.get(ts);
    if (inputs) {
      const accs = (s.accs ??= this.aggs.create());
      if (this.rows) this.rowsFrame(s, accs, inputs);
      else this.rangeFrame(s, accs, inputs, ts);
    }
    s.lastTriggering = ts;
  }

  /**
   * RowTimeRowsBoundedPrecedingFunction.onTimer: once the frame is full each row retracts the oldest row in
   * state (rows of one timestamp in arrival order); retracted rows leave the state after the loop.
   */
  private rowsFrame(s: KeyState, accs: OverAccs, inputs: Row[]): void {
    let retractList: Row[] | null = null;
    let retractTs = Infinity;
    let retractCnt = 0;
    for (const input of inputs) {
      if (s.count >= this.preceding) {
        if (retractList === null) {
          retractTs = Math.min(...s.rows.keys());
          retractList = s.rows.get(retractTs)!;
        }
        this.aggs.retract(accs, retractList[retractCnt++]);
        if (retractCnt === retractList.length) {
          s.rows.delete(retractTs);
          retractList = null;
          retractCnt = 0;
        }
      } else {
        s.count++;
      }
      this.aggs.accumulate(accs, input);
      this.emitWith(input, accs);
    }
    if (retractList !== null && retractCnt > 0) s.rows.set(retractTs, retractList.slice(retractCnt));
  }

  /** RowTimeRangeBoundedPrecedingFunction.onTimer: retract rows older than the frame, then all rows of ts see the same value. */
  private rangeFrame(s: KeyState, accs: OverAccs, inputs: Row[], ts: number): void {
    const gone: number[] = [];
    for (const [dataTs, list] of s.rows) {
      if (ts - dataTs > this.preceding) {
        for (const r of list) this.aggs.retract(accs, r);
        gone.push(dataTs);
      }
    }
    for (const r of inputs) this.aggs.accumulate(accs, r);
    this.aggs.values(accs, this.scratch);
    for (const r of inputs) this.out.push(this.joined(r));
    for (const t of gone) s.rows.delete(t);
  }

  /**
   * AbstractRowTimeUnboundedPrecedingOver.onTimer for every key whose timer is due: the rows the watermark passed,
   * in timestamp order. Flink advances the watermark after every record and so emits keys interleaved in time
   * order; sluice's watermark moves per batch, so the due rows of all keys are taken in one timestamp order to
   * give the same sequence.
   */
  private fireUnbounded(wm: number): void {
    const keys = new Set<unknown>();
    for (const [ts, ks] of this.timers) {
      if (ts > wm) continue;
      for (const k of ks) keys.add(k);
      this.timers.delete(ts);
    }
    const due: { s: KeyState; ts: number }[] = [];
    for (const key of keys) {
      const s = this.keyed.get(key);
      if (!s) continue;
      for (const ts of s.rows.keys()) if (ts <= wm) due.push({ s, ts });
    }
    due.sort((a, b) => a.ts - b.ts);
    for (const { s, ts } of due) {
      const accs = (s.accs ??= this.aggs.create());
      const list = s.rows.get(ts)!;
      s.rows.delete(ts);
      if (this.rows) {
        for (const r of list) { this.aggs.accumulate(accs, r); this.emitWith(r, accs); }
      } else {
        for (const r of list) this.aggs.accumulate(accs, r);
        this.aggs.values(accs, this.scratch);
        for (const r of list) this.out.push(this.joined(r));
      }
    }
    for (const key of keys) if ((this.keyed.get(key)?.rows.size ?? 0) > 0) this.register(key, wm + 1);
  }

  // ---- processing time ----

  /** ProcTimeUnboundedPrecedingFunction and ProcTimeRowsBoundedPrecedingFunction: each row at once. */
  private procRow(s: KeyState, row: Row, now: number): void {
    if (!this.rows && this.preceding !== Infinity) {
      // ProcTimeRangeBoundedPrecedingFunction: rows of one millisecond go out together (fireProcRange).
      this.bucket(s, now).push(row);
      let fresh = this.procPending.get(s);
      if (!fresh) this.procPending.set(s, (fresh = []));
      fresh.push(row);
      return;
    }
    const accs = (s.accs ??= this.aggs.create());
    if (this.preceding !== Infinity) {
      if (s.count >= this.preceding) {
        const oldest = Math.min(...s.rows.keys());
        const list = s.rows.get(oldest)!;
        this.aggs.retract(accs, list.shift()!);
        if (list.length === 0) s.rows.delete(oldest);
      } else {
        s.count++;
      }
      this.bucket(s, now).push(row);
    }
    this.aggs.accumulate(accs, row);
    this.emitWith(row, accs);
  }

  /**
   * ProcTimeRangeBoundedPrecedingFunction.onTimer, at the end of each batch rather than of each millisecond:
   * the batch's rows of a key retract the rows older than the frame, are accumulated and go out with one value.
   */
  private fireProcRange(now: number): void {
    for (const [s, fresh] of this.procPending) {
      const accs = (s.accs ??= this.aggs.create());
      for (const [t, list] of s.rows) {
        if (now - t > this.preceding) { for (const r of list) this.aggs.retract(accs, r); s.rows.delete(t); }
      }
      for (const r of fresh) this.aggs.accumulate(accs, r);
      this.aggs.values(accs, this.scratch);
      for (const r of fresh) this.out.push(this.joined(r));
    }
    this.procPending.clear();
  }

  // ---- output ----

  private emitWith(row: Row, accs: OverAccs): void {
    this.aggs.values(accs, this.scratch);
    this.out.push(this.joined(row));
  }

  private joined(row: Row): Row {
    const r: Row = { ...row };
    for (const n of this.callNames) r[n] = this.scratch[n];
    return r;
  }

  private flush(): void {
    if (this.out.length === 0) return;
    const rows = this.out;
    this.out = [];
    this.emit(rows, null);
  }

  // ---- checkpoints: one item per key, marked with its key group ----

  snapshot(): KeyedSnapshot {
    const keys: KeyedItem[] = [];
    for (const [key, s] of this.keyed) {
      const timers = [...this.timers].filter(([, ks]) => ks.has(key)).map(([t]) => t);
      const rows = [...s.rows];
      // Rows holding a DECIMAL (bigint) go in toSnapshotValue's form; others as they are (no copy).
      const plain = rows.every(([, rs]) => rs.every((r) => toSnapshotFlat(r) === r));
      keys.push([this.keyGroupOf(s.keys), toSnapshotFlat(s.keys), toSnapshotValue(s.accs), plain ? rows : toSnapshotValue(rows), s.lastTriggering, s.count, s.cleanupAt, timers]);
    }
    return { maxParallelism: this.maxParallelism, lists: { keys }, watermark: this.watermarkMs === -Infinity ? null : this.watermarkMs };
  }

  restore(state: unknown): void {
    const snap = state as KeyedSnapshot;
    this.keyed.clear();
    this.timers.clear();
    this.watermarkMs = snap.watermark ?? -Infinity;
    for (const [, keys, accs, rows, lastTriggering, count, cleanupAt, timers] of snap.lists.keys ?? []) {
      const k = fromSnapshotValue(keys) as unknown[];
      const key = this.keyOf(k);
      this.keyed.set(key, {
        keys: k, accs: fromSnapshotValue(accs) as OverAccs | null, rows: new Map(fromSnapshotValue(rows) as [number, Row[]][]),
        lastTriggering: lastTriggering as number, count: count as number, cleanupAt: cleanupAt as number | null,
      });
      for (const t of timers as number[]) this.register(key, t);
    }
  }
}

