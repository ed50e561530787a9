// Aggregate functions (`@udaf`) inside sluice's accumulator layouts (runtime/state/agg-kernel.ts, and the OVER
// aggregates' runtime/exec/over/over-aggs.ts): an aggregate's slot holds the function's own accumulator.
// Creating, finishing and merging go through here, for generated code and the interpreter alike; accumulate and
// retract are direct calls (emit-stages.ts, agg-kernel.ts). A DISTINCT call (`f(DISTINCT x, y)`) is Flink's
// distinct view (DistinctAggCodeGen): its slot also counts each distinct argument tuple, and the function sees a
// tuple's first occurrence (accumulate) and, on an updating input or a bounded OVER frame, its last one leaving
// (retract), never the repeats.
import type { AggCall } from './plan.js';
import { UserError } from './errors.js';
import type { AggregateFunction, UdfFunctions } from './udf.js';

/** The instance a run calls an aggregate function's methods on (once per run, runtime/core/udf.ts). */
export function udafOf(functions: UdfFunctions, a: { udaf?: AggCall['udaf'] }): AggregateFunction {
  const f = functions[a.udaf!.name] as unknown as AggregateFunction | undefined;
  if (!f || typeof f.accumulate !== 'function') throw new UserError(`aggregate function '${a.udaf!.name}' is not in this bundle`, 'compile the job again: a bundle carries the modules that declare its functions');
  return f;
}

/**
 * A new accumulator: an object or array, changed in place by accumulate, kept by checkpoints as plain data
 * (objects, arrays, numbers, strings, booleans, null, Maps, bigints).
 */
export function udafCreate(f: AggregateFunction, a: { udaf?: AggCall['udaf'] }): object {
  const acc = f.createAccumulator() as unknown;
  if (acc === null || typeof acc !== 'object') {
    throw new UserError(`aggregate function '${a.udaf!.name}': createAccumulator() returned ${acc === undefined ? 'undefined' : JSON.stringify(acc)}, not an object`,
      'return an object or an array that accumulate(acc, ...) changes in place, e.g. { sum: 0, count: 0 }');
  }
  const proto = Object.getPrototypeOf(acc);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) {
    throw new UserError(`aggregate function '${a.udaf!.name}': createAccumulator() returned a ${proto?.constructor?.name ?? 'class'} instance`,
      'return a plain object or array (e.g. { sum: 0, count: 0 }): checkpoints and the exchanges of a parallel job keep accumulators as plain data, without their class');
  }
  return acc;
}

/** getValue's result; undefined is NULL, and a NULL where the result is declared NOT NULL fails the job, naming the function. */
export function udafResult(f: AggregateFunction, a: { udaf?: AggCall['udaf'] }, acc: unknown): unknown {
  const v = f.getValue(acc as object);
  if (v !== null && v !== undefined) return v;
  if (a.udaf!.notNull) {
    throw new UserError(`aggregate function '${a.udaf!.name}' returned ${v === undefined ? 'undefined' : 'null'} from getValue, but its result is declared ${a.udaf!.notNull}`,
      'return a value for every accumulator, or declare the result nullable (`getValue(acc): number | null`, or a nullable resultType)');
  }
  return null;
}

/** A DISTINCT call's slot: each distinct argument tuple with its occurrences and its arguments, and the function's accumulator. */
export type DistinctUdafAcc = [Map<unknown, [count: number, args: unknown[]]>, object];

export const udafDistinctCreate = (f: AggregateFunction, a: { udaf?: AggCall['udaf'] }): DistinctUdafAcc => [new Map(), udafCreate(f, a)];

/**
 * A distinct tuple's key: a single value that is not an object as it is (NULL too: Flink's distinct view keys
 * NULLs like any value, and the function sees one NULL), else a text of the values (equal tuples, equal texts).
 */
function distinctKey(args: readonly unknown[]): unknown {
  if (args.length === 1 && (args[0] === null || typeof args[0] !== 'object')) return args[0];
  return JSON.stringify(args, (_, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v] : v === undefined ? null : v));
}

/**
 * `by` occurrences of an argument tuple into (+) or out of (-) a DISTINCT call's slot: the function accumulates
 * the tuple when its count becomes positive and retracts it when the count comes back to zero. Counts may go
 * below zero in a local pre-aggregate (a retraction of a row another subtask accumulated); merging adds them.
 */
export function udafDistinctChange(f: AggregateFunction, acc: DistinctUdafAcc, args: unknown[], by: number): void {
  const key = distinctKey(args);
  const entry = acc[0].get(key);
  const before = entry === undefined ? 0 : entry[0];
  const after = before + by;
  if (after === 0) acc[0].delete(key);
  else if (entry !== undefined) entry[0] = after;
  else acc[0].set(key, [after, args]);
  if (before <= 0 && after > 0) f.accumulate(acc[1], ...args);
  else if (before > 0 && after <= 0) f.retract!(acc[1], ...args);
}

/** `from`'s distinct tuples into `into` (session windows, local pre-aggregates): the function's own merge is not needed. */
export function udafDistinctMerge(f: AggregateFunction, into: DistinctUdafAcc, from: DistinctUdafAcc): void {
  for (const [count, args] of from[0].values()) udafDistinctChange(f, into, args, count);
}

/** Adds `from` into `into` with the function's merge (session windows, local pre-aggregation at -p > 1). */
export function udafMerge(f: AggregateFunction, a: AggCall, into: unknown, from: unknown): void {
  if (typeof f.merge !== 'function') {
    throw new UserError(`aggregate function '${a.udaf!.name}' has no merge method, which merging accumulators needs here`, 'add merge(acc, others) to it, adding each accumulator of others into acc');
  }
  f.merge(into as object, [from as object]);
}
