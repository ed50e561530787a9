// The event-time temporal join operator (a `join` plan node with `temporal` columns), Flink's
// TemporalRowTimeJoinOperator step for step, so that late rows come out as Flink's do: per join key, the left
// rows wait in arrival order and the versioned table's rows are kept by their time (a later row of the same
// time replaces the earlier one). Each key has one timer, at the smallest time registered since it last fired;
// when the watermark reaches it, every waiting left row at or before the watermark joins the version valid at
// its time (the right row with the largest time at or before it; a deleted version, or none, matches nothing,
// and a LEFT join pads the row; NULL keys are keys like any other, as in Flink), then the versions older than the one valid at the watermark are dropped: at
// least one version per key always stays. Left rows that are already behind the watermark are not dropped: they
// join what is left at the next watermark. Output rows carry their left row's kind.
// The versioned side is read as Flink's planner asks for it, updates without the rows before (-U is skipped),
// and deletes as Flink's ChangelogNormalize sends them in front of an upsert source: a delete (an upsert-kafka
// tombstone carries the key only) stands for the key's last row, at that row's time.
// With `table.exec.state.ttl`, as Flink's operator (BaseTwoInputStreamOperatorWithStateRetention) keeps state:
// each key has a cleanup time on the processing-time clock, moved to now + 1.5 × ttl by a row of either side, or a
// firing of its timer that leaves state, whenever now + ttl is past it; when the clock reaches it, the key's left
// rows (unjoined, even on a LEFT join), versions and last row are dropped. A timer firing that leaves nothing
// cancels it. Flink fires the cleanup on a processing-time timer; here a key's cleanup time is checked before the
// key is touched, and a sweep drops the expired keys at most once per ttl, which gives the same rows.
import type { DataType } from '../core/data-types.js';
import type { RowCondition } from '../core/kernels.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { JoinNode } from '../core/plan.js';
import { RowKind, type Row } from '../core/row.js';
import { fromSnapshotValue, toSnapshotValue } from '../state/snapshot-values.js';
import { TimedJoinProcessor, type ByKeyGroup } from './timed-join.js';
import { TimerHeap } from './timer-heap.js';

/** A version of the versioned table: its row, and whether it is a delete (valid until the next version, matching nothing). */
interface Version {
  row: Row;
  deleted: boolean;
}

/** One join key's state. */
interface KeyState {
  /** Left rows waiting for the watermark, in arrival order (Flink's leftState by sequence number). */
  left: { row: Row; kind: RowKind }[];
  /** Versions by time (Flink's rightState). */
  versions: Map<number, Version>;
  /** The key's last row as it arrived (ChangelogNormalize's state): what a delete stands for. */
  last: Row | null;
  /** The time of the key's timer, or null (Flink's registeredTimer). */
  timer: number | null;
  /** With a state TTL: when the key's state is dropped, on the processing-time clock (Flink's latestRegisteredCleanupTimer). */
  cleanup: number | null;
}

/** One key in a snapshot: left rows with their kinds, versions with their times, the last row, the timer, the cleanup time (absent before TTL). */
type KeyRecord = [[Row, RowKind][], [Row, number, boolean][], Row | null, number | null, (number | null)?];

export interface TemporalJoinSettings {
  maxParallelism: number;
  /** `table.exec.state.ttl` in ms; 0 (or 1, as Flink's minRetentionTime > 1): state kept for as long as the job runs. */
  ttlMs?: number;
  /** The processing-time clock (tests give their own). */
  now?: () => number;
}

export class TemporalJoinProcessor extends TimedJoinProcessor {
  private readonly leftTime: string;
  private readonly rightTime: string;
  private readonly keys = new Map<unknown, KeyState>();
  private readonly timers = new TimerHeap<unknown>();
  private wm = -Infinity;
  /** Flink's minRetentionTime and maxRetentionTime (1.5 × the TTL, as TableConfigUtils.getMaxIdleStateRetentionTime); 0: no TTL. */
  private readonly minRetention: number;
  private readonly maxRetention: number;
  private readonly now: () => number;
  /** The clock read once per batch or watermark. */
  private clock = 0;
  private lastSweep = 0;

  constructor(node: JoinNode, keyTypes: [DataType[], DataType[]], private readonly condition: RowCondition | null, metrics: OperatorMetrics, settings: TemporalJoinSettings) {
    super(node, keyTypes, metrics, settings.maxParallelism, true);
    this.leftTime = node.temporal!.leftTime;
    this.rightTime = node.temporal!.rightTime;
    this.outKinds = [];
    const ttl = settings.ttlMs ?? 0;
    this.minRetention = ttl > 1 ? ttl : 0;
    this.maxRetention = Math.floor(this.minRetention * 3 / 2);
    this.now = settings.now ?? Date.now;
  }

  /** Reads the clock; with a TTL, drops the expired keys once per TTL (each key is checked again when touched). */
  private tick(): void {
    if (this.minRetention === 0) return;
    this.clock = this.now();
    if (this.clock - this.lastSweep < this.minRetention) return;
    this.lastSweep = this.clock;
    for (const [key, state] of this.keys) if (this.expired(state)) this.keys.delete(key);
  }

  private expired(state: KeyState): boolean {
    return state.cleanup !== null && state.cleanup <= this.clock;
  }

  /** Flink's registerProcessingCleanupTimer: the cleanup moves to now + max retention when now + min retention is past it. */
  private registerCleanup(state: KeyState): void {
    if (this.minRetention === 0) return;
    if (state.cleanup === null || this.clock + this.minRetention > state.cleanup) state.cleanup = this.clock + this.maxRetention;
  }

  protected processBatch(rows: Row[], kinds: RowKind[] | null, side: 0 | 1): void {
    this.tick();
    for (let i = 0; i < rows.length; i++) {
      const kind = kinds === null ? RowKind.INSERT : kinds[i];
      if (side === 0) this.processLeft(rows[i], kind);
      else this.processRight(rows[i], kind);
    }
    this.flush();
  }

  /** The inputs' watermark has advanced: the keys whose timer it reaches join and clean up, then it goes on. */
  watermark(wm: number): void {
    this.wm = wm;
    this.tick();
    this.fireTimers(wm);
    this.flush();
    super.watermark(wm);
  }

  /** Both inputs have ended: the final watermark joins every left row still waiting. */
  endInput(): void {
    if (this.wm !== Infinity) this.watermark(Infinity);
    super.endInput();
  }

  /** processElement1: the row waits for the watermark under its key. */
  private processLeft(row: Row, kind: RowKind): void {
    const key = this.keyOf[0](row);
    const time = row[this.leftTime];
    // A row without a time has no valid version: a LEFT join pads it at once. (A NULL key is a key: Flink keys the
    // state by the key columns, NULLs included, so it joins the versions with a NULL key.)
    if (typeof time !== 'number') {
      if (this.outer[0]) this.push(this.joinRows.joined(row, null), kind);
      return;
    }
    const state = this.stateOf(key);
    state.left.push({ row: this.joinRows.kept(row, 0), kind });
    this.registerSmallest(key, state, time);
    this.registerCleanup(state);
  }

  /** processElement2: a version at its time (-U skipped, a delete at the time of the row it deletes). */
  private processRight(row: Row, kind: RowKind): void {
    if (kind === RowKind.UPDATE_BEFORE) return;
    const key = this.keyOf[1](row);
    if (kind === RowKind.DELETE) {
      const state = this.live(key);
      const deleted = state?.last ?? (typeof row[this.rightTime] === 'number' ? this.joinRows.kept(row, 1) : null);
      if (deleted === null) return;
      const s = state ?? this.stateOf(key);
      s.last = null;
      this.addVersion(key, s, { row: deleted, deleted: true });
      return;
    }
    if (typeof row[this.rightTime] !== 'number') return;
    const state = this.stateOf(key);
    state.last = this.joinRows.kept(row, 1);
    this.addVersion(key, state, { row: state.last, deleted: false });
  }

  private addVersion(key: unknown, state: KeyState, v: Version): void {
    const time = v.row[this.rightTime] as number;
    state.versions.set(time, v);
    this.registerSmallest(key, state, time);
    this.registerCleanup(state);
  }

  /** The key's state, unless its cleanup time has come (then it is dropped, as Flink's cleanup timer would have). */
  private live(key: unknown): KeyState | undefined {
    const state = this.keys.get(key);
    if (state === undefined || !this.expired(state)) return state;
    this.keys.delete(key);
    return undefined;
  }

  private stateOf(key: unknown): KeyState {
    let state = this.live(key);
    if (state === undefined) this.keys.set(key, (state = { left: [], versions: new Map(), last: null, timer: null, cleanup: null }));
    return state;
  }

  /** Flink's registerSmallestTimer: one timer per key, at the smallest time registered since it fired. */
  private registerSmallest(key: unknown, state: KeyState, time: number): void {
    if (state.timer !== null && state.timer <= time) return;
    state.timer = time;
    this.timers.push(time, key);
  }

  /** onEventTime for every key whose timer the watermark reaches, earliest first. */
  private fireTimers(wm: number): void {
    for (let t = this.timers.pop(wm); t !== null; t = this.timers.pop(wm)) {
      const [at, key] = t;
      const state = this.live(key);
      if (state === undefined || state.timer !== at) continue;
      state.timer = null;
      const next = this.emitAndCleanUp(state, wm);
      if (next !== Infinity) {
        state.timer = next;
        this.timers.push(next, key);
      }
      // State left (rows waiting, a version): the cleanup moves on; none: the key is forgotten (cleanupLastTimer).
      if (next !== Infinity || state.versions.size > 0) this.registerCleanup(state);
      else this.keys.delete(key);
    }
  }

  /** emitResultAndCleanUpState: joins the left rows at or before `wm`, drops outdated versions; the earliest time still waiting. */
  private emitAndCleanUp(state: KeyState, wm: number): number {
    const sorted = [...state.versions].sort((a, b) => a[0] - b[0]);
    let next = Infinity;
    const waiting: KeyState['left'] = [];
    for (const e of state.left) {
      const time = e.row[this.leftTime] as number;
      if (time > wm) {
        waiting.push(e);
        next = Math.min(next, time);
        continue;
      }
      const v = versionAt(sorted, time);
      const pair = v !== null && !v.deleted ? this.joinRows.joined(e.row, v.row) : null;
      if (pair !== null && (this.condition === null || this.condition(pair) === true)) this.push(pair, e.kind);
      else if (this.outer[0]) this.push(this.joinRows.joined(e.row, null), e.kind);
    }
    state.left = waiting;
    // firstIndexToKeep: the version valid at the watermark and the newer ones stay.
    const newer = sorted.findIndex(([t]) => t > wm);
    const keep = newer < 0 ? sorted.length - 1 : newer - 1;
    for (let i = 0; i < keep; i++) state.versions.delete(sorted[i][0]);
    return next;
  }

  private push(row: Row, kind: RowKind): void {
    this.out.push(row);
    this.outKinds!.push(kind);
  }

  /** Left rows waiting and versions kept (tests). */
  stateSize(): [number, number] {
    const n: [number, number] = [0, 0];
    for (const s of this.keys.values()) { n[0] += s.left.length; n[1] += s.versions.size; }
    return n;
  }

  /** One record per key, under its key group (the regular join's layout, split by runtime/exec/redistribute.ts). */
  snapshot(): unknown {
    const keys: ByKeyGroup<KeyRecord> = {};
    for (const s of this.keys.values()) {
      const some = s.left.length > 0 ? { side: 0 as const, row: s.left[0].row } : { side: 1 as const, row: s.versions.values().next().value!.row };
      this.recordUnder(keys, some.side, some.row, [
        s.left.map((e): [Row, RowKind] => [toSnapshotValue(e.row) as Row, e.kind]),
        [...s.versions].map(([time, v]): [Row, number, boolean] => [toSnapshotValue(v.row) as Row, time, v.deleted]),
        s.last === null ? null : toSnapshotValue(s.last) as Row,
        s.timer,
        s.cleanup,
      ]);
    }
    return { keys };
  }

  restore(snap: unknown): void {
    this.keys.clear();
    this.timers.clear();
    for (const records of Object.values((snap as { keys: ByKeyGroup<KeyRecord> }).keys)) {
      for (const [left, versions, last, timer, cleanup] of records) {
        const state: KeyState = {
          cleanup: cleanup ?? null,
          left: left.map(([row, kind]) => ({ row: fromSnapshotValue(row) as Row, kind })),
          versions: new Map(versions.map(([row, time, deleted]) => [time, { row: fromSnapshotValue(row) as Row, deleted }])),
          last: last === null ? null : fromSnapshotValue(last) as Row,
          timer,
        };
        const key = state.left.length > 0 ? this.keyOf[0](state.left[0].row) : this.keyOf[1](state.versions.values().next().value!.row);
        this.keys.set(key, state);
        if (timer !== null) this.timers.push(timer, key);
      }
    }
  }
}

/** latestRightRowToJoin: the version with the largest time at or before `time` (versions sorted by time), or null. */
function versionAt(sorted: [number, Version][], time: number): Version | null {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid][0] <= time) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 ? sorted[hi][1] : null;
}
