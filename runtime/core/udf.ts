// User-defined functions: the `udf` (scalar), `udtf` (table) and `udaf` (aggregate) decorators / wrappers and
// the process-wide registry they fill. Lives in the runtime because bundles import the udfs/ modules too, and
// their decorators must register the functions there.
import type { DataType } from './data-types.js';
import { UserError } from './errors.js';
import type { UdfRef } from './plan.js';

export interface UdfOptions {
  /** Registered name; defaults to the method or function name in snake_case. */
  name?: string;
  /** PyFlink-style explicit types; otherwise read from the TypeScript signature at compile time. */
  inputTypes?: DataType[];
  resultType?: DataType;
}

/** Scalar (`@udf`), table (`@udtf`: rows from a generator) or aggregate (`@udaf`: an accumulator's methods). */
export type UdfKind = 'scalar' | 'table' | 'aggregate';

type AnyClass = new () => any;

export interface RegisteredUdf {
  name: string;
  kind: UdfKind;
  /** The function (scalar; a table function written as a generator function) or the class (`@udtf`, `@udaf`). */
  fn: AnyFn | AnyClass;
  options: UdfOptions;
}

/**
 * An aggregate function (`@udaf`), as Flink's AggregateFunction: `accumulate` (and `retract`, for an updating
 * input) changes the accumulator in place; `merge` adds other accumulators into one (session windows, and the
 * local pre-aggregation of a parallel job); `getValue` gives the result. Accumulators are plain data (objects,
 * arrays, numbers, strings, Maps): checkpoints keep them as such.
 */
export interface AggregateFunction<T = unknown, ACC extends object = any> {
  createAccumulator(): ACC;
  accumulate(acc: ACC, ...args: any[]): void;
  retract?(acc: ACC, ...args: any[]): void;
  merge?(acc: ACC, others: Iterable<ACC>): void;
  getValue(acc: ACC): T;
}

/** A table function (`@udtf`), as Flink's TableFunction: `eval` yields the rows of one call (tuples, objects or single values). */
export interface TableFunction<R = unknown> {
  eval(...args: any[]): Iterable<R>;
}

const REGISTRY_KEY = Symbol.for('sluice.udfs');
type Registry = Map<string, RegisteredUdf>;

/** One registry per process, even if this module is loaded twice (compiler and job through different loaders). */
export function udfRegistry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry>;
  return (g[REGISTRY_KEY] ??= new Map());
}

export const snakeCase = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

type AnyFn = (...args: any[]) => any;
/**
 * Works as a standard (TC39) method decorator, as esbuild and tsx compile `@udf`, and as a legacy
 * (experimentalDecorators) one, as some other toolchains (vitest's oxc) compile it.
 */
type MethodDecorator = (target: any, context: any, descriptor?: PropertyDescriptor) => void;

/**
 * `@udf({ name })` on a static method, or `udf(fn, { name })` around a function.
 * Both register the function under its name and return it unchanged.
 */
export function udf(options?: UdfOptions): MethodDecorator;
export function udf<F extends AnyFn>(fn: F, options?: UdfOptions): F;
export function udf(fnOrOptions?: AnyFn | UdfOptions, maybeOptions?: UdfOptions): unknown {
  if (typeof fnOrOptions === 'function') {
    const fn = fnOrOptions;
    const options = maybeOptions ?? {};
    register(fn, options, fn.name || options.name || 'anonymous');
    return fn;
  }
  const options = fnOrOptions ?? {};
  return (target: any, context: any, descriptor?: PropertyDescriptor) => {
    if (typeof context === 'object' && context !== null && 'kind' in context) {
      const ctx = context as ClassMethodDecoratorContext;
      if (!ctx.static) throw new Error(`@udf goes on static methods: ${String(ctx.name)} is an instance method`);
      register(target, options, String(ctx.name));
      return;
    }
    if (typeof target !== 'function') throw new Error(`@udf goes on static methods: ${String(context)} is an instance method`);
    register(descriptor!.value, options, String(context));
  };
}

/** A class decorator, standard (TC39: `(class, context)`) or legacy (`(class)`), as `udf`'s method decorator. */
type ClassDecorator = (target: any, context?: any) => void;

/**
 * `@udtf({ name })` on a class whose `*eval(...)` generator yields the rows of a call, or `udtf(function* f(...) {...},
 * { name })` around a generator function. Rows are tuples (`yield [word, word.length]`), objects (`yield { word,
 * length }`) or, for one column, the value itself; their columns and types come from the yield type.
 */
export function udtf(options?: UdfOptions): ClassDecorator;
export function udtf<F extends (...args: any[]) => Iterable<unknown>>(fn: F, options?: UdfOptions): F;
export function udtf(fnOrOptions?: AnyFn | UdfOptions, maybeOptions?: UdfOptions): unknown {
  if (typeof fnOrOptions === 'function') {
    const options = maybeOptions ?? {};
    register(fnOrOptions, options, fnOrOptions.name || options.name || 'anonymous', 'table');
    return fnOrOptions;
  }
  return classDecorator('udtf', 'table', fnOrOptions ?? {}, 'eval');
}

/** `@udaf({ name })` on a class with createAccumulator, accumulate, getValue and optionally retract and merge. */
export function udaf(options?: UdfOptions): ClassDecorator {
  return classDecorator('udaf', 'aggregate', options ?? {}, 'accumulate');
}

function classDecorator(decorator: string, kind: UdfKind, options: UdfOptions, method: string): ClassDecorator {
  return (target: any, context?: any) => {
    if (typeof target !== 'function' || typeof target.prototype?.[method] !== 'function') {
      throw new Error(`@${decorator} goes on a class with a ${method}() method`);
    }
    const ctx = context as ClassDecoratorContext | undefined;
    register(target, options, String(ctx?.name ?? target.name), kind);
  };
}

function register(fn: AnyFn | AnyClass, options: UdfOptions, declaredName: string, kind: UdfKind = 'scalar'): void {
  const name = options.name ?? snakeCase(declaredName);
  udfRegistry().set(name, { name, kind, fn, options });
}

/** What generated code and the interpreter call a function by: scalar and table functions, aggregate functions' instances. */
export type UdfImplementation = ((...args: any[]) => unknown) & Partial<AggregateFunction>;
export type UdfFunctions = Record<string, UdfImplementation>;

/**
 * A registered function as the code of one run calls it: a scalar function or generator function itself, a
 * `@udtf` class's `eval` on an instance, a `@udaf` class's instance. Classes are instantiated once per run (per
 * subtask), when the run first reads them, as Flink opens one function instance per operator.
 */
function implementationOf(u: RegisteredUdf): () => UdfImplementation {
  if (u.kind === 'scalar' || typeof (u.fn as AnyClass).prototype?.[u.kind === 'table' ? 'eval' : 'accumulate'] !== 'function') {
    return () => u.fn as UdfImplementation;
  }
  const Cls = u.fn as AnyClass;
  if (u.kind === 'aggregate') return () => new Cls();
  return () => {
    const instance = new Cls();
    return ((...args: unknown[]) => instance.eval(...args)) as UdfImplementation;
  };
}

/** Sets `table[name]` to the implementation, made when first read. */
function defineLazy(table: UdfFunctions, name: string, make: () => UdfImplementation): void {
  let made: UdfImplementation | undefined;
  Object.defineProperty(table, name, { enumerable: true, configurable: true, get: () => (made ??= make()) });
}

/**
 * The functions a plan calls, by the names it calls them: every registered one, and those the job renamed
 * (createTemporarySystemFunction) under their new names. The plan's UDF modules must have been imported.
 */
export function udfFunctions(refs: readonly UdfRef[]): UdfFunctions {
  const registry = udfRegistry();
  const table: UdfFunctions = {};
  for (const [name, u] of registry) defineLazy(table, name, implementationOf(u));
  const missing: string[] = [];
  for (const ref of refs) {
    const u = registry.get(ref.registeredAs ?? ref.name);
    if (u) defineLazy(table, ref.name, implementationOf(u));
    else missing.push(ref.name);
  }
  if (missing.length) {
    throw new UserError(`UDFs missing from the bundle: ${missing.join(', ')}`, 'compile the job again: a bundle carries the modules that declare its UDFs');
  }
  return table;
}

/**
 * What generated code and the interpreter call when a UDF whose result is declared NOT NULL (a `string`,
 * `number` or `boolean` result, or an explicit `.notNull()` type) returns null or undefined: the job fails
 * naming the UDF, instead of carrying a NULL where none can be.
 */
export function udfReturnedNull(name: string, type: string, args: readonly unknown[], value: null | undefined): never {
  const shown = args.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ');
  throw new UserError(
    `UDF '${name}' returned ${value === undefined ? 'undefined' : 'null'} for (${shown}), but its result is declared ${type}`,
    'return a value for every input, or declare the result nullable (`: string | null` in TypeScript, or a nullable resultType)',
  );
}
