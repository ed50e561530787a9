// The aggregates that keep values rather than a running number: FIRST_VALUE, LAST_VALUE, LISTAGG, JSON_ARRAYAGG,
// JSON_OBJECTAGG and ARRAY_AGG, as Flink's FirstValueAggFunction, LastValueAggFunction, ListAggFunction,
// JsonArrayAggFunction, JsonObjectAggFunction and ArrayAggFunction (and their *WithRetract forms) compute them. Generated code (`fn.collect*`, through
// runtime/core/functions.ts) and the interpreter (runtime/state/agg-kernel.ts) call these same functions, so the
// accumulator layouts live in this one place. Accumulators are plain values, arrays and Maps (snapshots keep them).
//
// Insert-only input: FIRST_VALUE keeps its first non-NULL value, LAST_VALUE its last, LISTAGG the joined string,
// JSON_ARRAYAGG the elements' JSON texts, ARRAY_AGG the values (NULLs too: RESPECT NULLS), JSON_OBJECTAGG a Map key → JSON text (or null: NULL ON NULL).
// Updating input (retracting): the values in arrival order with the retractions not yet matched, [values, pending],
// as Flink's ListAggWithRetractAccumulator: a retraction takes out the first equal value, or waits in `pending`
// for it (a local pre-aggregate may see a row's retraction before its insertion). JSON_OBJECTAGG keeps its Map
// and a retraction removes the key, as JsonObjectAggFunction.retract.
import type { CollectingAgg } from './plan.js';

type Listed = [unknown[], unknown[]];

export function collectCreate(fn: CollectingAgg, retracting: boolean): unknown {
  if (fn === 'json_objectagg') return new Map();
  if (retracting) return [[], []] satisfies Listed;
  return fn === 'json_arrayagg' || fn === 'array_agg' ? [] : null;
}

/** Adds a non-NULL value (JSON_OBJECTAGG: the key, with its value's JSON text in `value`); returns the accumulator. */
export function collectAdd(fn: CollectingAgg, acc: any, v: unknown, retracting: boolean, separator: string, value?: unknown): any {
  if (fn === 'json_objectagg') {
    if ((acc as Map<unknown, unknown>).has(v)) throw new RangeError(`JSON_OBJECTAGG: duplicate key '${String(v)}' (Flink fails the job the same way)`);
    acc.set(v, value ?? null);
    return acc;
  }
  if (retracting) {
    const [values, pending] = acc as Listed;
    const at = pending.indexOf(v);
    if (at >= 0) pending.splice(at, 1);
    else values.push(v);
    return acc;
  }
  switch (fn) {
    case 'first_value': return acc === null ? v : acc;
    case 'last_value': return v;
    case 'listagg': return acc === null ? v : `${acc}${separator}${v}`;
    case 'json_arrayagg': case 'array_agg': acc.push(v); return acc;
  }
}

/** Takes a value back out (an updating input's -U/-D). */
export function collectRetract(fn: CollectingAgg, acc: any, v: unknown): void {
  if (fn === 'json_objectagg') { (acc as Map<unknown, unknown>).delete(v); return; }
  const [values, pending] = acc as Listed;
  const at = values.indexOf(v);
  if (at >= 0) values.splice(at, 1);
  else pending.push(v);
}

export function collectResult(fn: CollectingAgg, acc: any, retracting: boolean, separator: string): unknown {
  if (fn === 'json_objectagg') {
    // Flink writes the object through a sorted map: keys in order, whatever the arrival order.
    const keys = [...(acc as Map<string, string | null>).keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${acc.get(k) ?? 'null'}`).join(',')}}`;
  }
  const values = retracting ? (acc as Listed)[0] : null;
  switch (fn) {
    case 'first_value': return values ? (values.length ? values[0] : null) : acc;
    case 'last_value': return values ? (values.length ? values[values.length - 1] : null) : acc;
    case 'listagg': return values ? (values.length ? values.join(separator) : null) : acc;
    case 'json_arrayagg': return `[${(values ?? acc).join(',')}]`;
    // A copy: the accumulator goes on growing after the row is sent. No values (all retracted) is NULL, as Flink's.
    case 'array_agg': { const vs = (values ?? acc) as unknown[]; return vs.length ? [...vs] : null; }
  }
}

/** `from` (later rows: a session window merged into another, a local pre-aggregate) into `into`; returns the result. */
export function collectMerge(fn: CollectingAgg, into: any, from: any, retracting: boolean, separator: string): any {
  if (fn === 'json_objectagg') {
    for (const [k, v] of from as Map<unknown, unknown>) collectAdd(fn, into, k, retracting, separator, v);
    return into;
  }
  if (retracting) {
    const [values, pending] = from as Listed;
    for (const v of values) collectAdd(fn, into, v, true, separator);
    for (const v of pending) collectRetract(fn, into, v);
    return into;
  }
  if (from === null) return into;
  switch (fn) {
    case 'first_value': return into === null ? from : into;
    case 'last_value': return from;
    case 'listagg': return into === null ? from : `${into}${separator}${from}`;
    case 'json_arrayagg': case 'array_agg': into.push(...from); return into;
  }
}

/**
 * WELFORD_M2, the sum of squared deviations from the mean that Flink's planner computes STDDEV/VAR* from
 * (Welford's online algorithm, as Flink's WelfordM2AggFunction: the same floating-point steps, so the same
 * digits). The accumulator is [n, mean, m2]; n counts retractions below zero too (a local pre-aggregate).
 */
export const welfordCreate = (): [number, number, number] => [0, 0, 0];

export function welfordAdd(acc: [number, number, number], x: number): void {
  const n = ++acc[0];
  if (n <= 0) return;
  const delta = x - acc[1];
  acc[1] += delta / n;
  acc[2] += delta * (x - acc[1]);
}

export function welfordRetract(acc: [number, number, number], x: number): void {
  const n = --acc[0];
  if (n <= 0) {
    if (n === 0) { acc[1] = 0; acc[2] = 0; }
    return;
  }
  const delta2 = x - acc[1];
  acc[1] -= delta2 / n;
  acc[2] -= (x - acc[1]) * delta2;
}

export function welfordMerge(acc: [number, number, number], other: [number, number, number]): void {
  if (other[0] <= 0) {
    acc[0] += other[0];
  } else if (acc[0] === 0) {
    acc[0] = other[0]; acc[1] = other[1]; acc[2] = other[2];
    return;
  } else {
    const n = acc[0] + other[0];
    const deltaMean = other[1] - acc[1];
    const mean = acc[1] + other[0] / n * deltaMean;
    acc[2] = acc[2] + other[2] + acc[0] * other[0] / n * deltaMean * deltaMean;
    acc[0] = n;
    acc[1] = mean;
  }
  if (acc[0] <= 0) { acc[1] = 0; acc[2] = 0; }
}

export const welfordResult = (acc: [number, number, number]): number | null => (acc[0] <= 0 || acc[2] < 0 ? null : acc[2]);

export const isCollecting = (fn: string): fn is CollectingAgg =>
  fn === 'first_value' || fn === 'last_value' || fn === 'listagg' || fn === 'json_arrayagg' || fn === 'json_objectagg' || fn === 'array_agg';
