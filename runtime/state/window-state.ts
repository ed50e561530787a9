// State of a window aggregate: tumbling, sliding and cumulating windows as buckets keyed by window end,
// session windows as per-key lists merged as elements arrive. A window fires once the watermark (or, for
// processing time, the clock) reaches its end - 1, as Flink's window operator does; an element whose every
// window has already fired is late: dropped and counted.
// assign() resolves an element's windows to their buckets, remembering the buckets of the previous element:
// consecutive elements nearly always fall in the same windows, so the usual cost per element and window is
// one Map lookup (the key in the bucket's groups) instead of two.
import type { AggKernel, AggregateIngest } from '../core/kernels.js';
import type { WindowProperty, WindowSpec } from '../core/plan.js';
import type { Row } from '../core/row.js';
import { resultRowBuilder } from './agg-kernel.js';
import { isKeyedSnapshot, type KeyedItem, type KeyedSnapshot, type KeyGroupOf } from './keyed-snapshot.js';
import { fromSnapshotValue, toSnapshotFlat, toSnapshotValue } from './snapshot-values.js';

export interface Group { keys: unknown[]; acc: any }
interface Bucket { start: number; end: number; groups: Map<unknown, Group> }
interface SessionWindow extends Group { start: number; end: number }

/** What a snapshot holds per window and key, and per key's sessions, each with its key group first. */
type WindowItem = [number, number, number, unknown, unknown[], unknown];
type SessionsItem = [number, unknown, SessionWindow[]];

/** The first snapshot format (before key groups), still read: see fromLegacy(). */
interface LegacyWindowSnapshot {
  wm: number | null;
  buckets: { start: number; end: number; groups: [unknown, unknown[], unknown][] }[];
  sessions: [unknown, SessionWindow[]][];
}

/**
 * a mod b, non-negative. Math.floor(a / b) is exact for integer |a| < 2^53 (timestamps are integer ms) and
 * avoids `%` on doubles, which V8 compiles to a call to C's fmod.
 */
const mod = (a: number, b: number) => a - Math.floor(a / b) * b;

/**
 * The tumbling, sliding or cumulating windows an element at `ts` falls in whose last millisecond is after `wm`
 * (-Infinity: all of them), as Flink's assigners give them: their starts and ends into `starts`/`ends`; returns
 * how many. The window aggregate passes its watermark (windows that fired take nothing more); a window table
 * function passes -Infinity (it keeps late rows).
 */
export function assignWindows(spec: WindowSpec, ts: number, wm: number, starts: number[], ends: number[]): number {
  const { sizeMs: size, slideMs: slide, type } = spec;
  let n = 0;
  if (type === 'tumble') {
    const start = ts - mod(ts, size);
    if (start + size - 1 > wm) { starts[0] = start; ends[0] = start + size; n = 1; }
  } else if (type === 'slide') {
    for (let start = ts - mod(ts, slide); start > ts - size; start -= slide) {
      if (start + size - 1 > wm) { starts[n] = start; ends[n] = start + size; n++; }
    }
  } else {
    const start = ts - mod(ts, size);
    for (let end = start + slide * (Math.floor((ts - start) / slide) + 1); end <= start + size; end += slide) {
      if (end - 1 > wm) { starts[n] = start; ends[n] = end; n++; }
    }
  }
  return n;
}

/** A chain of calcs ending in a window aggregate's assign-and-accumulate step. */
export type WindowIngest = AggregateIngest<WindowState>;

export class WindowState {
  /** Event time: the current watermark. Processing time: the time windows were last fired at. */
  wm = -Infinity;
  /** Elements dropped because all their windows had fired. */
  late = 0;
  /** Scratch output of assign(): the windows an element belongs to, and their groups by key. */
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly assigned: Map<unknown, Group>[] = [];
  /** The buckets assign() found last, by position (invalidated when windows fire). */
  private readonly recent: (Bucket | undefined)[] = [];
  private readonly buckets = new Map<number, Bucket>();
  /** Ends of the open buckets, ascending. */
  private openEnds: number[] = [];
  private readonly sessions = new Map<unknown, SessionWindow[]>();
  private minSessionEnd = Infinity;

  private readonly toRow: (keys: readonly unknown[], acc: unknown, start: number, end: number) => Row;

  constructor(
    readonly spec: WindowSpec,
    private readonly kernel: AggKernel,
    keyNames: readonly string[],
    aggNames: readonly string[],
    properties: readonly { name: string; property: WindowProperty }[],
    private readonly keyGroupOf: KeyGroupOf,
    private readonly maxParallelism: number,
  ) {
    this.toRow = resultRowBuilder(kernel, keyNames, aggNames, properties);
  }

  /** Fills starts/ends/assigned with the element's windows that have not fired; returns how many. */
  assign(ts: number): number {
    const n = assignWindows(this.spec, ts, this.wm, this.starts, this.ends);
    if (n === 0) this.late++;
    for (let i = 0; i < n; i++) {
      const end = this.ends[i];
      let b = this.recent[i];
      if (b === undefined || b.end !== end) {
        b = this.buckets.get(end);
        if (b === undefined) {
          b = { start: this.starts[i], end, groups: new Map() };
          this.buckets.set(end, b);
          this.insertEnd(end);
        }
        this.recent[i] = b;
      }
      this.assigned[i] = b.groups;
    }
    return n;
  }

  /** A new group under `key` in `groups` (one of assigned): what generated code calls for a key's first element. */
  add(groups: Map<unknown, Group>, key: unknown, keys: unknown[]): Group {
    const g: Group = { keys, acc: this.kernel.create() };
    groups.set(key, g);
    return g;
  }

  /** Accumulators of window i (from assign) for a key, or undefined if the key has none yet. */
  get(i: number, key: unknown): any {
    return this.assigned[i].get(key)?.acc;
  }

  create(i: number, key: unknown, keys: unknown[]): any {
    return this.add(this.assigned[i], key, keys).acc;
  }

  /**
   * Session windows: merges the element's window [ts, ts + gap) with the key's overlapping sessions and returns
   * the merged accumulators; undefined when nothing overlaps (call newSession); null when the element is late.
   */
  session(key: unknown, ts: number): any {
    const gap = this.spec.gapMs;
    const list = this.sessions.get(key);
    let target: SessionWindow | undefined;
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const s = list[i];
        if (s.start <= ts + gap && s.end >= ts) {
          if (target === undefined) {
            target = s;
            if (ts < s.start) s.start = ts;
            if (ts + gap > s.end) s.end = ts + gap;
          } else {
            this.kernel.merge(target.acc, s.acc);
            target.start = Math.min(target.start, s.start);
            target.end = Math.max(target.end, s.end);
            list.splice(i--, 1);
          }
        }
      }
    }
    if (target !== undefined) return target.acc;
    if (ts + gap - 1 <= this.wm) { this.late++; return null; }
    return undefined;
  }

  newSession(key: unknown, ts: number, keys: unknown[]): any {
    const s: SessionWindow = { start: ts, end: ts + this.spec.gapMs, keys, acc: this.kernel.create() };
    let list = this.sessions.get(key);
    if (!list) this.sessions.set(key, (list = []));
    list.push(s);
    if (s.end < this.minSessionEnd) this.minSessionEnd = s.end;
    return s.acc;
  }

  /** Emits every window whose end - 1 <= time, ordered by window end; returns how many rows. */
  fire(time: number, out: Row[]): number {
    if (time > this.wm) this.wm = time;
    const before = out.length;
    if (this.spec.type === 'session') this.fireSessions(time, out);
    else {
      let i = 0;
      while (i < this.openEnds.length && this.openEnds[i] - 1 <= time) {
        const b = this.buckets.get(this.openEnds[i])!;
        for (const g of b.groups.values()) out.push(this.toRow(g.keys, g.acc, b.start, b.end));
        this.buckets.delete(b.end);
        i++;
      }
      if (i > 0) {
        this.openEnds = this.openEnds.slice(i);
        this.recent.length = 0;
      }
    }
    return out.length - before;
  }

  /** The earliest time at which a window fires next (for processing-time timers). */
  nextFireTime(): number {
    return this.spec.type === 'session' ? this.minSessionEnd - 1 : this.openEnds.length ? this.openEnds[0] - 1 : Infinity;
  }

  private fireSessions(time: number, out: Row[]): void {
    if (this.minSessionEnd - 1 > time) return;
    const fired: SessionWindow[] = [];
    let minEnd = Infinity;
    for (const [key, list] of this.sessions) {
      for (let i = 0; i < list.length; i++) {
        if (list[i].end - 1 <= time) fired.push(...list.splice(i--, 1));
        else if (list[i].end < minEnd) minEnd = list[i].end;
      }
      if (list.length === 0) this.sessions.delete(key);
    }
    this.minSessionEnd = minEnd;
    fired.sort((a, b) => a.end - b.end);
    for (const s of fired) out.push(this.toRow(s.keys, s.acc, s.start, s.end));
  }

  private insertEnd(end: number): void {
    let i = this.openEnds.length;
    while (i > 0 && this.openEnds[i - 1] > end) i--;
    this.openEnds.splice(i, 0, end);
  }

  /**
   * Local-global aggregation (runtime/exec/parallel/): every open window's groups as [start, end, key, keys,
   * accumulators] (sessions too), and the state starts empty again. A pre-aggregating state never fires:
   * whether a window is late is the owning subtask's decision (mergePartial), against its watermark.
   */
  takePartials(): [number, number, unknown, unknown[], unknown][] {
    const out: [number, number, unknown, unknown[], unknown][] = [];
    for (const b of this.buckets.values()) for (const [k, g] of b.groups) out.push([b.start, b.end, k, g.keys, g.acc]);
    for (const [k, list] of this.sessions) for (const s of list) out.push([s.start, s.end, k, s.keys, s.acc]);
    this.buckets.clear();
    this.openEnds = [];
    this.recent.length = 0;
    this.sessions.clear();
    this.minSessionEnd = Infinity;
    return out;
  }

  /** Merges one window's accumulators pre-aggregated by another subtask; a window that has fired drops them (late). */
  mergePartial(start: number, end: number, key: unknown, keys: unknown[], acc: unknown): void {
    if (end - 1 <= this.wm) { this.late++; return; }
    if (this.spec.type === 'session') { this.mergeSession(start, end, key, keys, acc); return; }
    let b = this.buckets.get(end);
    if (b === undefined) {
      b = { start, end, groups: new Map() };
      this.buckets.set(end, b);
      this.insertEnd(end);
      this.recent.length = 0;
    }
    const g = b.groups.get(key);
    if (g === undefined) b.groups.set(key, { keys, acc });
    else this.kernel.merge(g.acc, acc);
  }

  /** A partial session [start, end) joins every session of its key it overlaps, as an element's window does. */
  private mergeSession(start: number, end: number, key: unknown, keys: unknown[], acc: unknown): void {
    let list = this.sessions.get(key);
    if (!list) this.sessions.set(key, (list = []));
    const merged: SessionWindow = { start, end, keys, acc };
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.start <= merged.end && s.end >= merged.start) {
        this.kernel.merge(s.acc, merged.acc);
        merged.acc = s.acc;
        merged.start = Math.min(merged.start, s.start);
        merged.end = Math.max(merged.end, s.end);
        list.splice(i--, 1);
      }
    }
    list.push(merged);
    if (merged.end < this.minSessionEnd) this.minSessionEnd = merged.end;
  }

  /** The open windows (per window and key) and sessions (per key), each with its key group (KeyedSnapshot). */
  snapshot(): KeyedSnapshot {
    const windows: WindowItem[] = [];
    for (const b of this.buckets.values()) {
      for (const [k, g] of b.groups) windows.push([this.keyGroupOf(g.keys), b.start, b.end, toSnapshotFlat(k), toSnapshotFlat(g.keys), toSnapshotValue(g.acc)]);
    }
    const sessions: SessionsItem[] = [];
    for (const [k, list] of this.sessions) sessions.push([this.keyGroupOf(list[0].keys), toSnapshotFlat(k), list.map((x) => ({ ...x, keys: toSnapshotFlat(x.keys), acc: toSnapshotValue(x.acc) }))]);
    return { maxParallelism: this.maxParallelism, lists: { windows: windows as KeyedItem[], sessions: sessions as KeyedItem[] }, watermark: Number.isFinite(this.wm) ? this.wm : null };
  }

  /** A snapshot of this operator's key groups (runtime/exec/redistribute.ts selects them for a subtask). */
  restore(snapshot: unknown): void {
    if (!isKeyedSnapshot(snapshot)) throw new Error('window aggregate state is not per key group: restore it through runtime/exec/redistribute.ts');
    this.wm = snapshot.watermark ?? -Infinity;
    this.late = 0;
    this.buckets.clear();
    this.openEnds = [];
    this.recent.length = 0;
    this.sessions.clear();
    this.minSessionEnd = Infinity;
    for (const [, start, end, k, keys, acc] of (snapshot.lists.windows ?? []) as WindowItem[]) {
      let b = this.buckets.get(end);
      if (!b) {
        this.buckets.set(end, (b = { start, end, groups: new Map() }));
        this.insertEnd(end);
      }
      b.groups.set(fromSnapshotValue(k) as typeof k, { keys: fromSnapshotValue(keys) as typeof keys, acc: fromSnapshotValue(acc) });
    }
    for (const [, k, list] of (snapshot.lists.sessions ?? []) as SessionsItem[]) {
      this.sessions.set(fromSnapshotValue(k) as typeof k, list.map((x) => ({ ...x, keys: fromSnapshotValue(x.keys) as typeof x.keys, acc: fromSnapshotValue(x.acc) })));
      for (const x of list) this.minSessionEnd = Math.min(this.minSessionEnd, x.end);
    }
  }

  /** The first snapshot format (before key groups) as a KeyedSnapshot: older checkpoints restore at any parallelism. */
  static fromLegacy(snapshot: unknown, keyGroupOf: KeyGroupOf, maxParallelism: number): KeyedSnapshot {
    const s = snapshot as LegacyWindowSnapshot;
    const windows = s.buckets.flatMap((b) => b.groups.map(([k, keys, acc]): WindowItem => [keyGroupOf(keys), b.start, b.end, k, keys, acc]));
    const sessions = s.sessions.map(([k, list]): SessionsItem => [keyGroupOf(list[0].keys), k, list]);
    return { maxParallelism, lists: { windows: windows as KeyedItem[], sessions: sessions as KeyedItem[] }, watermark: s.wm };
  }
}
