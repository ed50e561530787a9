// Restoring at another parallelism (runtime/exec/redistribute.ts): keyed state taken by n subtasks, each
// holding the keys its key-group range owns, is split for m subtasks; every key's state must land on exactly the
// subtask Flink's KeyGroupRangeAssignment gives it at m, with the accumulators computed independently from the
// input, nothing lost or doubled. Source positions follow their splits (Kafka partitions to the subtask Flink's
// KafkaSourceEnumerator.getSplitOwner picks, recomputed here with BigInt Java arithmetic), sink state stays by
// subtask index and that of subtasks that are gone goes to subtask 0.
import { describe, expect, it } from 'vitest';
import { DataTypes, type DataType, type Field } from '../../runtime/core/data-types.js';
import type { AggCall, WindowSpec } from '../../runtime/core/plan.js';
import { kafkaSplits } from '../../runtime/connectors/kafka/splits.js';
import { keyGroupFunction, keyGroupOf, keyHash, subtaskOf } from '../../runtime/exec/key-groups.js';
import { subtaskSnapshot, type SnapshotLayout } from '../../runtime/exec/redistribute.js';
import { aggKernel } from '../../runtime/state/agg-kernel.js';
import type { JobSnapshot } from '../../runtime/state/checkpoint-storage.js';
import { GroupState } from '../../runtime/state/group-state.js';
import { WindowState } from '../../runtime/state/window-state.js';

const MAX = 128;
const keyFields: Field[] = [{ name: 'page', type: DataTypes.STRING() }, { name: 'uid', type: DataTypes.BIGINT() }];
const keyTypes: DataType[] = keyFields.map((f) => f.type);
const input: Field[] = [...keyFields, { name: 'n', type: DataTypes.BIGINT() }];
const aggs = [{ name: 's', fn: 'sum', arg: 'n', distinct: false }, { name: 'c', fn: 'count', arg: null, distinct: false }] as AggCall[];
const kgOf = keyGroupFunction(keyTypes, MAX);
const layout = (): SnapshotLayout => ({
  maxParallelism: MAX,
  keyed: new Map([['agg', { kind: 'group' as const, keyGroupOf: kgOf }], ['win', { kind: 'window' as const, keyGroupOf: kgOf }]]),
  joins: new Set(['join']),
  sinks: new Set(['sink']),
  operators: new Set(['agg', 'win', 'join', 'sink', 'topN', 'kafka', 'gen']),
  sources: new Map([['kafka', { connector: 'kafka', splits: kafkaSplits }], ['gen', { connector: 'datagen', splits: undefined }]]),
});

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Random keys with values; the expected sum and count per key computed plainly. */
function input_(count: number, seed: number) {
  const rnd = random(seed);
  const rows = Array.from({ length: count }, () => ({ page: `/p${Math.floor(rnd() * 300)}`, uid: Math.floor(rnd() * 40) - 20, n: Math.floor(rnd() * 1000) }));
  const expected = new Map<string, { s: number; c: number }>();
  for (const r of rows) {
    const k = JSON.stringify([r.page, r.uid]);
    const e = expected.get(k) ?? { s: 0, c: 0 };
    e.s += r.n; e.c++;
    expected.set(k, e);
  }
  return { rows, expected };
}

/** The subtask that owns a key at parallelism p, as Flink computes it. */
const ownerOf = (keys: unknown[], p: number) => subtaskOf(keyGroupOf(keyHash(keys, keyTypes), MAX), MAX, p);

const groupState = () => new GroupState(aggKernel(aggs, input), ['page', 'uid'], keyTypes, ['s', 'c'], kgOf, MAX);
const windowSpec: WindowSpec = { type: 'tumble', timeColumn: 't', time: 'event', sizeMs: 1000, slideMs: 1000, gapMs: 0 } as WindowSpec;
const windowState = () => new WindowState(windowSpec, aggKernel(aggs, input), ['page', 'uid'], ['s', 'c'], [], kgOf, MAX);

/** A parallel job's snapshot, through its stored form (text, parsed) as a checkpoint does. */
const roundTrip = (parts: JobSnapshot[]): JobSnapshot => JSON.parse(JSON.stringify({ sources: {}, operators: {}, watermarks: {}, parallelism: parts.length, subtasks: parts })) as JobSnapshot;

/** n subtasks of a group aggregate, each fed the rows whose key it owns at n. */
function groupParts(rows: { page: string; uid: number; n: number }[], n: number): JobSnapshot[] {
  return Array.from({ length: n }, (_, i) => {
    const st = groupState();
    for (const r of rows) {
      if (ownerOf([r.page, r.uid], n) !== i) continue;
      const e = st.entry([r.page, r.uid]);
      e.acc[0] = (e.acc[0] ?? 0) + r.n; e.acc[1]++;
    }
    return { sources: {}, operators: { agg: st.snapshot() }, watermarks: {} };
  });
}

/** Restores every subtask of m and returns, per key, the subtasks it is on and its accumulators. */
function restoreGroups(stored: JobSnapshot, m: number) {
  const found = new Map<string, { on: number[]; s: number; c: number }>();
  for (let i = 0; i < m; i++) {
    const st = groupState();
    st.restore(subtaskSnapshot(stored, layout(), m, i).operators.agg);
    for (const [, keys, acc] of (st.snapshot().lists.entries as [number, unknown[], number[]][])) {
      const k = JSON.stringify(keys);
      const f = found.get(k);
      if (f) f.on.push(i);
      else found.set(k, { on: [i], s: acc[0], c: acc[1] });
    }
  }
  return found;
}

describe('redistributing a snapshot to another parallelism', () => {
  it.each([[1, 3], [3, 2], [2, 5], [4, 1], [3, 3], [1, 128]])('group aggregate state taken at %i restores at %i: every key once, on its subtask, exact', (n, m) => {
    const { rows, expected } = input_(2000, n * 31 + m);
    const found = restoreGroups(roundTrip(groupParts(rows, n)), m);
    expect(found).toEqual(new Map([...expected].map(([k, e]) => [k, { on: [ownerOf(JSON.parse(k) as unknown[], m)], ...e }])));
  });

  it('chains rescales 1 → 3 → 2 and restores the state of the format before key groups', () => {
    const { rows, expected } = input_(3000, 7);
    // The first format: [key, keys, accumulators, last row] per entry, one subtask.
    const legacy = [...expected].map(([k, e]) => [k, JSON.parse(k), [e.s, e.c], null]);
    const old: JobSnapshot = { sources: {}, operators: { agg: legacy }, watermarks: {} };
    const at3 = roundTrip(Array.from({ length: 3 }, (_, i) => subtaskSnapshot(old, layout(), 3, i)));
    const at2 = roundTrip(Array.from({ length: 2 }, (_, i) => subtaskSnapshot(at3, layout(), 2, i)));
    expect(restoreGroups(at2, 2)).toEqual(new Map([...expected].map(([k, e]) => [k, { on: [ownerOf(JSON.parse(k) as unknown[], 2)], ...e }])));
    expect(rows.length).toBe(3000);
  });

  it('window state: open windows per key follow their key groups; the watermark is the lowest', () => {
    const { rows } = input_(2000, 11);
    const n = 3;
    const m = 2;
    const parts = Array.from({ length: n }, (_, i) => {
      const st = windowState();
      rows.forEach((r, j) => {
        if (ownerOf([r.page, r.uid], n) !== i) return;
        const w = st.assign(j % 2 === 0 ? 5_500 : 6_500);
        for (let x = 0; x < w; x++) { const acc = st.get(x, JSON.stringify([r.page, r.uid])) ?? st.create(x, JSON.stringify([r.page, r.uid]), [r.page, r.uid]); acc[0] = (acc[0] ?? 0) + r.n; acc[1]++; }
      });
      st.fire(4_999 + i, []); // watermarks 4999, 5000, 5001: none of the open windows fires
      return { sources: {}, operators: { win: st.snapshot() }, watermarks: {} };
    });
    // Independently: the fired output of every window after restore equals the sums per window and key of the input.
    const expected = new Map<string, number>();
    rows.forEach((r, j) => { const k = `${j % 2 === 0 ? 6000 : 7000}|${r.page}|${r.uid}`; expected.set(k, (expected.get(k) ?? 0) + r.n); });
    const got = new Map<string, number>();
    const stored = roundTrip(parts);
    for (let i = 0; i < m; i++) {
      const st = windowState();
      const part = subtaskSnapshot(stored, layout(), m, i);
      st.restore(part.operators.win);
      expect(st.wm).toBe(4_999);
      // What the restored state holds, by window end and key, read back before the windows fire.
      for (const [, , end, , keys, acc] of (st.snapshot().lists.windows as [number, number, number, unknown, unknown[], number[]][])) {
        const k = `${end}|${keys[0]}|${keys[1]}`;
        expect(got.has(k), k).toBe(false);
        got.set(k, acc[0]);
      }
      const out: Record<string, unknown>[] = [];
      st.fire(Infinity, out);
      for (const r of out) expect(ownerOf([r.page, r.uid], m)).toBe(i);
    }
    expect(got).toEqual(expected);
  });

  it('kafka partitions go to the subtask Flink assigns them, with their offsets and watermarks', () => {
    const offsets = (ps: number[]) => ({ offsets: { clicks: Object.fromEntries(ps.map((p) => [p, 1000 + p])) } });
    // At 2: partitions 0..5 split between two subtasks as they were assigned then.
    const parts: JobSnapshot[] = [0, 1].map((i) => {
      const mine = [0, 1, 2, 3, 4, 5].filter((p) => kafkaSplits.owner(`clicks-${p}`, 2) === i);
      return {
        sources: { kafka: offsets(mine) },
        operators: {},
        watermarks: { kafka: { current: 500 + i, maxTs: mine.map((p) => [`clicks-${p}`, 600 + p]) } },
      };
    });
    const stored = roundTrip(parts);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = subtaskSnapshot(stored, layout(), 3, i);
      const mine = Object.keys((s.sources.kafka as { offsets: Record<string, Record<string, number>> }).offsets.clicks ?? {}).map(Number);
      for (const p of mine) {
        expect(flinkSplitOwner('clicks', p, 3)).toBe(i);
        expect((s.sources.kafka as { offsets: Record<string, Record<string, number>> }).offsets.clicks[p]).toBe(1000 + p);
      }
      seen.push(...mine);
      const w = s.watermarks.kafka as { current: number; maxTs: [string, number][] };
      expect([w.current, [...w.maxTs].sort()]).toEqual([500, mine.map((p) => [`clicks-${p}`, 600 + p]).sort()]);
    }
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('join state: the key groups of each side go to the subtask owning them', () => {
    const parts: JobSnapshot[] = [0, 1].map((i) => ({ sources: {}, operators: { join: { left: { [10 + 100 * i]: [['l', i]] }, right: { [20 + 100 * i]: [['r', i]], 64: [['r64', i]] } } }, watermarks: {} }));
    const stored = roundTrip(parts);
    // At 3 of 128: subtask 0 owns 0..42, 1 owns 43..85, 2 owns 86..127.
    expect(subtaskSnapshot(stored, layout(), 3, 0).operators.join).toEqual({ left: { 10: [['l', 0]] }, right: { 20: [['r', 0]] } });
    expect(subtaskSnapshot(stored, layout(), 3, 1).operators.join).toEqual({ left: {}, right: { 64: [['r64', 0], ['r64', 1]] } });
    expect(subtaskSnapshot(stored, layout(), 3, 2).operators.join).toEqual({ left: { 110: [['l', 1]] }, right: { 120: [['r', 1]] } });
  });

  it('sink state stays with its subtask; subtasks that are gone hand theirs to subtask 0', () => {
    const parts: JobSnapshot[] = [0, 1, 2].map((i) => ({ sources: {}, operators: { sink: { txn: i } }, watermarks: {} }));
    const stored = roundTrip(parts);
    expect(subtaskSnapshot(stored, layout(), 2, 0)).toMatchObject({ operators: { sink: { txn: 0 } }, handover: { sink: [{ subtask: 2, state: { txn: 2 } }] } });
    expect(subtaskSnapshot(stored, layout(), 2, 1)).toEqual({ sources: {}, operators: { sink: { txn: 1 } }, watermarks: {} });
    expect(subtaskSnapshot(stored, layout(), 4, 3).operators.sink).toBeUndefined();
  });

  it('refuses what cannot map: another max parallelism, a source position without a split assignment', () => {
    const stored = roundTrip(groupParts(input_(100, 1).rows, 2));
    expect(() => subtaskSnapshot(stored, { ...layout(), maxParallelism: 256 }, 2, 0)).toThrow(/taken with pipeline.max-parallelism 128 and the job now has 256/);
    const two = roundTrip([0, 1].map((i) => ({ sources: { gen: { rows: 10 * i, seed: 5 } }, operators: {}, watermarks: {} })));
    expect(() => subtaskSnapshot(two, layout(), 3, 0)).toThrow(/source gen \(connector 'datagen'\) was read at parallelism 2 and has no split assignment/);
    expect(() => subtaskSnapshot({ sources: { gen: { rows: 3, seed: 5 } }, operators: {}, watermarks: {} }, layout(), 2, 1)).toThrow(/read at parallelism 1/);
    expect(subtaskSnapshot(two, layout(), 2, 1).sources.gen).toEqual({ rows: 10, seed: 5 });
    const unkeyed = roundTrip([0, 1].map((i) => ({ sources: {}, operators: { topN: { rows: [i] } }, watermarks: {} })));
    expect(() => subtaskSnapshot(unkeyed, layout(), 3, 0)).toThrow(/operator topN keeps state that is not split by key group/);
  });
});

/** KafkaSourceEnumerator.getSplitOwner in Java int arithmetic, with BigInt. */
function flinkSplitOwner(topic: string, partition: number, readers: number): number {
  let h = 0n;
  for (const c of topic) h = BigInt.asIntN(32, h * 31n + BigInt(c.charCodeAt(0)));
  const start = Number((BigInt.asIntN(32, h * 31n) & 0x7fffffffn) % BigInt(readers));
  return (start + partition) % readers;
}
