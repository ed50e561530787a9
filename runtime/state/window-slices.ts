// A batch run's tumbling, sliding and cumulating windows, assembled from slices (Flink's slicing window
// aggregation; its batch runtime merges panes the same way). Every window boundary is a multiple of the slice
// size, gcd(size, slide), so an element falls in exactly one slice and each of its windows is a union of whole
// slices: an element is accumulated once instead of once per window (three times for a 15 s window sliding by
// 5 s), and a window's accumulators are merged from its slices when it fires. Merging equals accumulating only
// where agg-kernel.ts's mergesExactly says so; a window of one slice (tumbling) merges nothing. Otherwise, and
// for session windows, window-state.ts assigns each element to each of its windows, as a stream does.
import type { AggKernel } from '../core/kernels.js';
import type { Field } from '../core/data-types.js';
import type { AggCall, WindowSpec } from '../core/plan.js';
import { mergesExactly } from './agg-kernel.js';
import { assignWindows, type Bucket, type Group } from './window-assign.js';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The slice length of a tumbling, sliding or cumulating window (every window boundary is a multiple of it). */
export function sliceSize(spec: WindowSpec): number {
  return spec.type === 'tumble' ? spec.sizeMs : gcd(spec.sizeMs, spec.slideMs);
}

/** Whether a window aggregate's state may be kept as slices: event-time windows of whole slices whose merge is exact. */
export function sliceable(spec: WindowSpec, aggs: readonly AggCall[], input: readonly Field[]): boolean {
  if (spec.type === 'session' || spec.time !== 'event' || !(spec.sizeMs > 0)) return false;
  if (spec.type !== 'tumble' && !(spec.slideMs > 0)) return false;
  return sliceSize(spec) === spec.sizeMs || mergesExactly(aggs, input);
}

/** Scratch output of assignWindows. */
const starts: number[] = [];
const ends: number[] = [];

/**
 * Fires the windows made of `slices` (ascending by end) that end by `time` (end - 1 <= time) and had not ended
 * by `fired` (the time of the previous firing), ordered by window end: `emit` gets each window's groups by key,
 * its slices' accumulators merged into new ones (a window of one slice: that slice's own, to read, not to
 * change). Returns the slices still part of a window that has not fired, in the same order.
 */
export function fireSlices(
  spec: WindowSpec, kernel: AggKernel, slices: readonly Bucket[], fired: number, time: number,
  emit: (start: number, end: number, groups: Map<unknown, Group>) => void,
): Bucket[] {
  const windows = new Map<number, { start: number; slices: Bucket[] }>();
  const kept: Bucket[] = [];
  for (const s of slices) {
    // Every element of a slice falls in the same windows: those of its first millisecond.
    const n = assignWindows(spec, s.start, fired, starts, ends);
    let last = -Infinity;
    for (let i = 0; i < n; i++) {
      if (ends[i] > last) last = ends[i];
      if (ends[i] - 1 > time) continue;
      let w = windows.get(ends[i]);
      if (w === undefined) windows.set(ends[i], (w = { start: starts[i], slices: [] }));
      w.slices.push(s);
    }
    if (last - 1 > time) kept.push(s);
  }
  for (const end of [...windows.keys()].sort((a, b) => a - b)) {
    const w = windows.get(end)!;
    emit(w.start, end, w.slices.length === 1 ? w.slices[0].groups : merged(kernel, w.slices));
  }
  return kept;
}

/** The groups of several slices merged per key, into new accumulators (a slice is part of other windows too). */
function merged(kernel: AggKernel, slices: readonly Bucket[]): Map<unknown, Group> {
  const out = new Map<unknown, Group>();
  for (const s of slices) {
    for (const [k, g] of s.groups) {
      let m = out.get(k);
      if (m === undefined) out.set(k, (m = { keys: g.keys, acc: kernel.create() }));
      kernel.merge(m.acc, g.acc);
    }
  }
  return out;
}
