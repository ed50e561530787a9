// State of a window aggregate: tumbling, sliding and cumulating windows as buckets keyed by window end,
// session windows as per-key lists merged as elements arrive. A window fires once the watermark (or, for
// processing time, the clock) reaches its end - 1, as Flink's window operator does; an element whose every
// window has already fired is late: dropped and counted.
// assign() resolves an element's windows to their buckets, remembering the buckets of the previous element:
// consecutive elements nearly always fall in the same windows, so the usual cost per element and window is
// one Map lookup (the key in the bucket's groups) instead of two.
// A batch run keeps tumbling, sliding and cumulating windows as slices instead where that is exact
// (window-slices.ts): an element goes to its one slice, windows are merged from slices when they fire.
import type { AggKernel, AggregateIngest } from '../core/kernels.js';
import type { WindowProperty, WindowSpec } from '../core/plan.js';
import type { Row } from '../core/row.js';
import { resultRowBuilder } from './agg-kernel.js';
import { isKeyedSnapshot, type KeyedItem, type KeyedSnapshot, type KeyGroupOf } from './keyed-snapshot.js';
import { fromSnapshotValue, toSnapshotFlat, toSnapshotValue } from './snapshot-values.js';
import { assignWindows, mod, type Bucket, type Group } from './window-assign.js';
import { fireSlices, sliceSize } from './window-slices.js';

interface SessionWindow extends Group { start: number; end: number }

/** Rows fire() hands to its `send` at a time (the size of a source batch): a batch's end fires every window at once. */
const CHUNK = 4096;

/** What a snapshot holds per window (or slice) and key, and per key's sessions, each with its key group first. */
type WindowItem = [number, number, number, unknown, unknown[], unknown];
type SessionsItem = [number, unknown, SessionWindow[]];

/** The first snapshot format (before key groups), still read: see fromLegacy(). */
interface LegacyWindowSnapshot {
  wm: number | null;
  buckets: { start: number; end: number; groups: [unknown, unknown[], unknown][] }[];
  sessions: [unknown, SessionWindow[]][];
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
  /** Ends of the open buckets, ascending unless endsUnsorted (sortedEnds() sorts them when needed). */
  private openEnds: number[] = [];
  private endsUnsorted = false;
  /** Sliced (window-slices.ts): the slice length, and the bounds of the slice assign() found last; else 0 and an empty range. */
  private sliceMs: number;
  private lo = Infinity;
  private hi = -Infinity;
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
    /** Keep the windows as slices (a batch run, when window-slices.ts's sliceable() holds). */
    sliced = false,
  ) {
    this.toRow = resultRowBuilder(kernel, keyNames, aggNames, properties);
    this.sliceMs = sliced ? sliceSize(spec) : 0;
  }

  /** Whether the windows are kept as slices (a restored snapshot of windows may turn this off). */
  get sliced(): boolean {
    return this.sliceMs !== 0;
  }

  /**
   * Fills starts/ends/assigned with the element's windows that have not fired; returns how many. Sliced: its
   * slice, in assigned[0] (no more to do when it is the previous element's).
   */
  assign(ts: number): number {
    if (ts < this.hi && ts >= this.lo) return 1;
    if (this.sliceMs !== 0) return this.assignSlice(ts);
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

  private assignSlice(ts: number): number {
    const start = ts - mod(ts, this.sliceMs);
    const end = start + this.sliceMs;
    let b = this.buckets.get(end);
    if (b === undefined) {
      // A slice is dropped once all its windows have fired: an element of one that is gone is late (and, as
      // assign() counts it, one in no window at all: a cumulating window's size need not be a multiple of its step).
      if (assignWindows(this.spec, start, this.wm, this.starts, this.ends) === 0) { this.late++; return 0; }
      b = { start, end, groups: new Map() };
      this.buckets.set(end, b);
      this.insertEnd(end);
    }
    this.lo = start;
    this.hi = end;
    this.assigned[0] = b.groups;
    return 1;
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

  /**
   * Emits every window whose end - 1 <= time into `out`, ordered by window end; with `send`, every CHUNK rows
   * go out through it as they are made (out starts again empty). Returns how many rows.
   */
  fire(time: number, out: Row[], send?: (rows: Row[]) => void): number {
    const before = out.length;
    let sent = 0;
    const push = (row: Row) => {
      out.push(row);
      if (send !== undefined && out.length >= CHUNK) { sent += out.length; send(out.splice(0)); }
    };
    if (this.spec.type === 'session') this.fireSessions(time, push);
    else if (this.sliceMs !== 0) this.fireSliced(time, push);
    else {
      const ends = this.sortedEnds();
      let i = 0;
      while (i < ends.length && ends[i] - 1 <= time) {
        const b = this.buckets.get(ends[i])!;
        for (const g of b.groups.values()) push(this.toRow(g.keys, g.acc, b.start, b.end));
        this.buckets.delete(b.end);
        i++;
      }
      if (i > 0) {
        this.openEnds = ends.slice(i);
        this.recent.length = 0;
      }
    }
    if (time > this.wm) this.wm = time;
    return sent + out.length - before;
  }

  /** Sliced: the windows due merged from their slices (window-slices.ts); slices whose windows have all fired go. */
  private fireSliced(time: number, push: (row: Row) => void): void {
    const slices = this.sortedEnds().map((end) => this.buckets.get(end)!);
    const kept = fireSlices(this.spec, this.kernel, slices, this.wm, time, (start, end, groups) => {
      for (const g of groups.values()) push(this.toRow(g.keys, g.acc, start, end));
    });
    if (kept.length === slices.length) return;
    for (const b of slices) this.buckets.delete(b.end);
    for (const b of kept) this.buckets.set(b.end, b);
    this.openEnds = kept.map((b) => b.end);
    this.lo = Infinity;
    this.hi = -Infinity;
  }

  /** The earliest time at which a window fires next (for processing-time timers). */
  nextFireTime(): number {
    if (this.spec.type === 'session') return this.minSessionEnd - 1;
    const ends = this.sortedEnds();
    if (ends.length === 0) return Infinity;
    if (this.sliceMs === 0) return ends[0] - 1;
    // The first slice's first window ends first (a window's end grows with the times it holds).
    const n = assignWindows(this.spec, this.buckets.get(ends[0])!.start, this.wm, this.starts, this.ends);
    return n === 0 ? Infinity : Math.min(...this.ends.slice(0, n)) - 1;
  }

  private fireSessions(time: number, push: (row: Row) => void): void {
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
    for (const s of fired) push(this.toRow(s.keys, s.acc, s.start, s.end));
  }

  /** Ends come mostly in order; one out of order is sorted in when the ends are read (not one splice each). */
  private insertEnd(end: number): void {
    const n = this.openEnds.length;
    if (n > 0 && this.openEnds[n - 1] > end) this.endsUnsorted = true;
    this.openEnds.push(end);
  }

  private sortedEnds(): number[] {
    if (this.endsUnsorted) {
      this.openEnds.sort((a, b) => a - b);
      this.endsUnsorted = false;
    }
    return this.openEnds;
  }

  /**
   * Local-global aggregation (runtime/exec/parallel/): every open window's groups as [start, end, key, keys,
   * accumulators] (sessions too), and the state starts empty again. A pre-aggregating state never fires:
   * whether a window is late is the owning subtask's decision (mergePartial), against its watermark.
   */
  takePartials(): [number, number, unknown, unknown[], unknown][] {
    this.unsliced('pre-aggregates');
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
    this.unsliced('merges partial aggregates');
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

  /** Partial aggregates are per window: a parallel run keeps its windows whole (runtime/exec/operator-graph.ts). */
  private unsliced(what: string): void {
    if (this.sliceMs !== 0) throw new Error(`a window state kept as slices ${what}: only a single task's batch run slices its windows`);
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

  /**
   * The open windows (per window and key) and sessions (per key), each with its key group (KeyedSnapshot);
   * sliced, the slices (per slice and key) under `slices`, which restore() turns into windows where needed.
   */
  snapshot(): KeyedSnapshot {
    const windows: WindowItem[] = [];
    for (const b of this.buckets.values()) {
      for (const [k, g] of b.groups) windows.push([this.keyGroupOf(g.keys), b.start, b.end, toSnapshotFlat(k), toSnapshotFlat(g.keys), toSnapshotValue(g.acc)]);
    }
    const sessions: SessionsItem[] = [];
    for (const [k, list] of this.sessions) sessions.push([this.keyGroupOf(list[0].keys), toSnapshotFlat(k), list.map((x) => ({ ...x, keys: toSnapshotFlat(x.keys), acc: toSnapshotValue(x.acc) }))]);
    return {
      maxParallelism: this.maxParallelism, lists: { [this.sliceMs !== 0 ? 'slices' : 'windows']: windows as KeyedItem[], sessions: sessions as KeyedItem[] },
      watermark: Number.isFinite(this.wm) ? this.wm : null,
    };
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
    this.lo = Infinity;
    this.hi = -Infinity;
    for (const [, k, list] of (snapshot.lists.sessions ?? []) as SessionsItem[]) {
      this.sessions.set(fromSnapshotValue(k) as typeof k, list.map((x) => ({ ...x, keys: fromSnapshotValue(x.keys) as typeof x.keys, acc: fromSnapshotValue(x.acc) })));
      for (const x of list) this.minSessionEnd = Math.min(this.minSessionEnd, x.end);
    }
    const windows = (snapshot.lists.windows ?? []) as WindowItem[];
    const slices = (snapshot.lists.slices ?? []) as WindowItem[];
    // Windows of several slices cannot be cut into slices again: the state keeps them whole from here on.
    if (windows.length > 0 && this.sliceMs !== this.spec.sizeMs) this.sliceMs = 0;
    for (const [, start, end, k, keys, acc] of windows) this.restoreGroup(this.buckets, start, end, fromSnapshotValue(k), fromSnapshotValue(keys) as unknown[], fromSnapshotValue(acc));
    const restored = this.sliceMs !== 0 ? this.buckets : new Map<number, Bucket>();
    for (const [, start, end, k, keys, acc] of slices) this.restoreGroup(restored, start, end, fromSnapshotValue(k), fromSnapshotValue(keys) as unknown[], fromSnapshotValue(acc));
    if (restored === this.buckets || restored.size === 0) return;
    // Slices restored into windows kept whole: each window's groups merged from its slices, as firing it would.
    const ordered = [...restored.values()].sort((a, b) => a.end - b.end);
    fireSlices(this.spec, this.kernel, ordered, this.wm, Infinity, (start, end, groups) => {
      for (const [k, g] of groups) {
        const acc = this.kernel.create();
        this.kernel.merge(acc, g.acc);
        this.restoreGroup(this.buckets, start, end, k, g.keys, acc);
      }
    });
  }

  /** Adds a restored group to its window (or slice) in `buckets`; a second one of the same key merges into the first. */
  private restoreGroup(buckets: Map<number, Bucket>, start: number, end: number, key: unknown, keys: unknown[], acc: unknown): void {
    let b = buckets.get(end);
    if (b === undefined) {
      buckets.set(end, (b = { start, end, groups: new Map() }));
      if (buckets === this.buckets) this.insertEnd(end);
    }
    const g = b.groups.get(key);
    if (g === undefined) b.groups.set(key, { keys, acc });
    else this.kernel.merge(g.acc, acc);
  }

  /** The first snapshot format (before key groups) as a KeyedSnapshot: older checkpoints restore at any parallelism. */
  static fromLegacy(snapshot: unknown, keyGroupOf: KeyGroupOf, maxParallelism: number): KeyedSnapshot {
    const s = snapshot as LegacyWindowSnapshot;
    const windows = s.buckets.flatMap((b) => b.groups.map(([k, keys, acc]): WindowItem => [keyGroupOf(keys), b.start, b.end, k, keys, acc]));
    const sessions = s.sessions.map(([k, list]): SessionsItem => [keyGroupOf(list[0].keys), k, list]);
    return { maxParallelism, lists: { windows: windows as KeyedItem[], sessions: sessions as KeyedItem[] }, watermark: s.wm };
  }
}
