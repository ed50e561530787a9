// The interval join operator (a `join` plan node with `interval` bounds), Flink's TimeIntervalJoin step for
// step so that the same rows come out, late rows included: a row joins the other side's cached rows of its key
// whose time is within the bounds, and is cached itself only while the other side's time (the watermark, or
// the clock for proctime) has not passed its last possible match. Cached rows are removed by a cleanup timer
// per key and side (Flink's registerCleanUpTimer / removeExpiredRows) and eagerly while a row scans the other
// side; an outer side's row that never matched goes out padded with NULLs when it is removed (or at once, if
// it came too late to be cached). The output is append-only; the watermark out is held back by the larger
// relative window size, as Flink's KeyedCoProcessOperatorWithWatermarkDelay does.
import type { DataType } from '../core/data-types.js';
import type { RowCondition } from '../core/kernels.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { IntervalBounds, JoinNode } from '../core/plan.js';
import type { Row, RowKind } from '../core/row.js';
import { fromSnapshotValue, toSnapshotValue } from '../state/snapshot-values.js';
import { TimedJoinProcessor, type ByKeyGroup } from './timed-join.js';
import { TimerHeap } from './timer-heap.js';

/** A cached row and whether it has joined (Flink's Tuple2<RowData, isEmitted>). */
interface Entry {
  row: Row;
  emitted: boolean;
}

/** One key's state: per side, its cached rows by time, and the time of its cleanup timer (null: none). */
interface KeyState {
  rows: [Map<number, Entry[]>, Map<number, Entry[]>];
  timers: [number | null, number | null];
}

/** One snapshot record: the row, its time, whether it has joined. */
type SnapshotRecord = [Row, number, boolean];

export interface IntervalJoinSettings {
  maxParallelism: number;
  now?: () => number;
}

export class IntervalJoinProcessor extends TimedJoinProcessor {
  private readonly bounds: IntervalBounds;
  private readonly timeOf: [(row: Row) => unknown, (row: Row) => unknown];
  /** Flink's leftRelativeSize and rightRelativeSize: how far a side's row reaches into the other side's future. */
  private readonly relativeSize: [number, number];
  private readonly minCleanUpInterval: number;
  private readonly now: () => number;
  private readonly keys = new Map<unknown, KeyState>();
  /** Cleanup timers (time → side, key), earliest first; an entry whose key has another timer by now is skipped. */
  private readonly timers = new TimerHeap<[0 | 1, unknown]>();
  /** Flink's leftExpirationTime / rightExpirationTime: each side's cache holds no row at or before it (not in snapshots, as in Flink). */
  private readonly expiration: [number, number] = [-Infinity, -Infinity];
  private wm = -Infinity;

  constructor(node: JoinNode, keyTypes: [DataType[], DataType[]], private readonly condition: RowCondition | null, metrics: OperatorMetrics, settings: IntervalJoinSettings) {
    super(node, keyTypes, metrics, settings.maxParallelism);
    this.bounds = node.interval!;
    const { leftTime, rightTime } = this.bounds;
    this.timeOf = [(row) => row[leftTime], (row) => row[rightTime]];
    this.relativeSize = [-this.bounds.lowerMs, this.bounds.upperMs];
    this.minCleanUpInterval = Math.trunc((this.relativeSize[0] + this.relativeSize[1]) / 2);
    this.now = settings.now ?? Date.now;
  }

  get processingTime(): boolean {
    return this.bounds.time === 'processing';
  }

  protected processBatch(rows: Row[], _kinds: RowKind[] | null, side: 0 | 1): void {
    if (this.processingTime) this.fireTimers(this.now());
    for (const row of rows) this.processRow(row, side);
    this.flush();
  }

  /** The inputs' watermark has advanced: due cleanup timers fire, then the watermark goes on held back. */
  watermark(wm: number): void {
    this.wm = wm;
    if (!this.processingTime) {
      this.fireTimers(wm);
      this.flush();
    }
    super.watermark(wm === Infinity ? wm : wm - Math.max(this.relativeSize[0], this.relativeSize[1]));
  }

  /** Both inputs have ended: event time reaches its end (every cached row expires); processing-time timers are dropped, as in Flink. */
  endInput(): void {
    if (!this.processingTime && this.wm !== Infinity) this.watermark(Infinity);
    super.endInput();
  }

  /** Processing-time joins: the earliest cleanup timer (the runner's clock fires it). */
  nextFireTime(): number {
    return this.processingTime ? this.timers.peek() : Infinity;
  }

  /** Processing-time joins: fires the cleanup timers due at `now` (from the runner's clock). */
  fire(now: number): void {
    this.fireTimers(now);
    this.flush();
  }

  /** Flink's updateOperatorTime: the watermark (at least 0) or the clock. */
  private operatorTime(): number {
    return this.processingTime ? this.now() : Math.max(0, this.wm);
  }

  /** TimeIntervalJoin.processElement1/2 for a row of `side`. */
  private processRow(row: Row, side: 0 | 1): void {
    const other = (1 - side) as 0 | 1;
    const opTime = this.operatorTime();
    const key = this.keyOf[side](row);
    const rawTime = this.processingTime ? opTime : this.timeOf[side](row);
    // A NULL key or time never matches (SQL's `=` and comparisons with NULL).
    if (key === null || typeof rawTime !== 'number') {
      if (this.outer[side]) this.pad(row, side);
      return;
    }
    const time = rawTime;
    const lower = time - this.relativeSize[other];
    const upper = time + this.relativeSize[side];
    let emitted = false;
    let state = this.keys.get(key);
    if (state !== undefined && this.expiration[other] < upper) {
      this.expiration[other] = this.expirationTime(opTime, other);
      const cache = state.rows[other];
      for (const [t, entries] of cache) {
        if (t >= lower && t <= upper) {
          for (const e of entries) {
            const pair = side === 0 ? this.joinRows.joined(row, e.row) : this.joinRows.joined(e.row, row);
            if (this.condition !== null && this.condition(pair) !== true) continue;
            this.out.push(pair);
            emitted = true;
            e.emitted = true;
          }
        }
        if (t <= this.expiration[other]) {
          if (this.outer[other]) for (const e of entries) if (!e.emitted) this.pad(e.row, other);
          cache.delete(t);
        }
      }
    }
    if (this.operatorTime() < upper) {
      if (state === undefined) this.keys.set(key, (state = { rows: [new Map(), new Map()], timers: [null, null] }));
      const list = state.rows[side].get(time);
      const entry = { row: this.joinRows.kept(row, side), emitted };
      if (list === undefined) state.rows[side].set(time, [entry]);
      else list.push(entry);
      if (state.timers[side] === null) this.registerTimer(key, state, side, time);
    } else if (!emitted && this.outer[side]) {
      this.pad(row, side);
    }
  }

  /** Flink's calExpirationTime: rows of `side` at or before this time can match no row still to come. */
  private expirationTime(opTime: number, side: 0 | 1): number {
    return opTime === Infinity ? Infinity : opTime - this.relativeSize[side] - 1;
  }

  /** Flink's registerCleanUpTimer for the rows of `side`, from a row time. */
  private registerTimer(key: unknown, state: KeyState, side: 0 | 1, rowTime: number): void {
    const at = rowTime + this.relativeSize[side] + this.minCleanUpInterval + 1;
    state.timers[side] = at;
    this.timers.push(at, [side, key]);
  }

  /** Fires every cleanup timer at or before `time` (onTimer + removeExpiredRows). */
  private fireTimers(time: number): void {
    for (let t = this.timers.pop(time); t !== null; t = this.timers.pop(time)) {
      const [at, [side, key]] = t;
      const state = this.keys.get(key);
      if (state === undefined || state.timers[side] !== at) continue;
      const expiration = this.expirationTime(this.operatorTime(), side);
      this.expiration[side] = expiration;
      const cache = state.rows[side];
      let earliest = Infinity;
      for (const [rowTime, entries] of cache) {
        if (rowTime <= expiration) {
          if (this.outer[side]) for (const e of entries) if (!e.emitted) this.pad(e.row, side);
          cache.delete(rowTime);
        } else if (rowTime < earliest) {
          earliest = rowTime;
        }
      }
      state.timers[side] = null;
      if (earliest !== Infinity) this.registerTimer(key, state, side, earliest);
      else if (state.rows[1 - side].size === 0 && state.timers[1 - side] === null) this.keys.delete(key);
    }
  }

  private pad(row: Row, side: 0 | 1): void {
    this.out.push(side === 0 ? this.joinRows.joined(row, null) : this.joinRows.joined(null, row));
  }


  /** Rows cached per side (tests). */
  stateSize(): [number, number] {
    const n: [number, number] = [0, 0];
    for (const s of this.keys.values()) for (const side of [0, 1] as const) for (const list of s.rows[side].values()) n[side] += list.length;
    return n;
  }

  /** Cached rows per side by key group: the regular join's layout, so runtime/exec/redistribute.ts splits it the same way. */
  snapshot(): unknown {
    const sides: [ByKeyGroup<SnapshotRecord>, ByKeyGroup<SnapshotRecord>] = [{}, {}];
    for (const s of this.keys.values()) {
      for (const side of [0, 1] as const) {
        for (const [time, entries] of s.rows[side]) {
          for (const e of entries) this.recordUnder(sides[side], side, e.row, [toSnapshotValue(e.row) as Row, time, e.emitted]);
        }
      }
    }
    return { left: sides[0], right: sides[1] };
  }

  /** Restores the cached rows; each key and side gets a cleanup timer from its earliest row, as after a cleanup in Flink. */
  restore(s: unknown): void {
    const snap = s as { left: Record<number, SnapshotRecord[]>; right: Record<number, SnapshotRecord[]> };
    this.keys.clear();
    this.timers.clear();
    [snap.left, snap.right].forEach((groups, i) => {
      const side = i as 0 | 1;
      for (const records of Object.values(groups)) {
        for (const [snapRow, time, emitted] of records) {
          const row = fromSnapshotValue(snapRow) as Row;
          const key = this.keyOf[side](row);
          let state = this.keys.get(key);
          if (state === undefined) this.keys.set(key, (state = { rows: [new Map(), new Map()], timers: [null, null] }));
          const list = state.rows[side].get(time);
          if (list === undefined) state.rows[side].set(time, [{ row, emitted }]);
          else list.push({ row, emitted });
        }
      }
    });
    for (const [key, state] of this.keys) {
      for (const side of [0, 1] as const) {
        const times = [...state.rows[side].keys()];
        if (times.length > 0) this.registerTimer(key, state, side, Math.min(...times));
      }
    }
  }
}
