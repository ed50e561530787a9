// Aggregate functions (`@udaf`) inside sluice's accumulator layout (runtime/state/agg-kernel.ts): an aggregate's
// slot holds the function's own accumulator. Creating, finishing and merging go through here, for generated
// code and the interpreter alike; accumulate and retract are direct calls (emit-stages.ts, agg-kernel.ts).
import type { AggCall } from './plan.js';
import { UserError } from './errors.js';
import type { AggregateFunction, UdfFunctions } from './udf.js';

/** The instance a run calls an aggregate function's methods on (once per run, runtime/core/udf.ts). */
export function udafOf(functions: UdfFunctions, a: AggCall): AggregateFunction {
  const f = functions[a.udaf!.name] as unknown as AggregateFunction | undefined;
  if (!f || typeof f.accumulate !== 'function') throw new UserError(`aggregate function '${a.udaf!.name}' is not in this bundle`, 'compile the job again: a bundle carries the modules that declare its functions');
  return f;
}

/**
 * A new accumulator: an object or array, changed in place by accumulate, kept by checkpoints as plain data
 * (objects, arrays, numbers, strings, booleans, null, Maps, bigints).
 */
export function udafCreate(f: AggregateFunction, a: AggCall): object {
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
export function udafResult(f: AggregateFunction, a: AggCall, acc: unknown): unknown {
  const v = f.getValue(acc as object);
  if (v !== null && v !== undefined) return v;
  if (a.udaf!.notNull) {
    throw new UserError(`aggregate function '${a.udaf!.name}' returned ${v === undefined ? 'undefined' : 'null'} from getValue, but its result is declared ${a.udaf!.notNull}`,
      'return a value for every accumulator, or declare the result nullable (`getValue(acc): number | null`, or a nullable resultType)');
  }
  return null;
}

/** Adds `from` into `into` with the function's merge (session windows, local pre-aggregation at -p > 1). */
export function udafMerge(f: AggregateFunction, a: AggCall, into: unknown, from: unknown): void {
  if (typeof f.merge !== 'function') {
    throw new UserError(`aggregate function '${a.udaf!.name}' has no merge method, which merging accumulators needs here`, 'add merge(acc, others) to it, adding each accumulator of others into acc');
  }
  f.merge(into as object, [from as object]);
}
