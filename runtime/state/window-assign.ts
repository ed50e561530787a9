// Which tumbling, sliding or cumulating windows an element falls in, as Flink's window assigners give them, and
// what a window keeps per key: shared by the window aggregate's state (window-state.ts, window-slices.ts) and the
// window table functions (runtime/exec/window-table-processor.ts).
import type { WindowSpec } from '../core/plan.js';

/** A window's accumulators for one key, with the key's column values. */
export interface Group { keys: unknown[]; acc: any }

/** A window's groups by key (or a slice's: window-slices.ts). */
export interface Bucket { start: number; end: number; groups: Map<unknown, Group> }

/**
 * a mod b, non-negative. Math.floor(a / b) is exact for integer |a| < 2^53 (timestamps are integer ms) and
 * avoids `%` on doubles, which V8 compiles to a call to C's fmod.
 */
export const mod = (a: number, b: number) => a - Math.floor(a / b) * b;

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
