// Scalar UDFs: the `udf` decorator / wrapper and the process-wide registry it fills. Lives in the runtime
// because bundles import the udfs/ modules too, and their `udf(...)` calls must register the functions there.
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

export interface RegisteredUdf {
  name: string;
  fn: (...args: any[]) => unknown;
  options: UdfOptions;
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

function register(fn: AnyFn, options: UdfOptions, declaredName: string): void {
  const name = options.name ?? snakeCase(declaredName);
  udfRegistry().set(name, { name, fn, options });
}

export type UdfFunctions = Record<string, (...args: any[]) => unknown>;

/**
 * The functions a plan calls, by the names it calls them: every registered one, and those the job renamed
 * (createTemporarySystemFunction) under their new names. The plan's UDF modules must have been imported.
 */
export function udfFunctions(refs: readonly UdfRef[]): UdfFunctions {
  const registry = udfRegistry();
  const table: UdfFunctions = Object.fromEntries([...registry].map(([name, u]) => [name, u.fn]));
  const missing: string[] = [];
  for (const ref of refs) {
    const u = registry.get(ref.registeredAs ?? ref.name);
    if (u) table[ref.name] = u.fn;
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
