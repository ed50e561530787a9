// Connector option schemas (zod over the string values of WITH (...)), validation shared by the compiler and
// the runtime, and parsers for Flink's duration and memory-size spellings.
// zod/mini, not zod's classic API: these schemas are in every job bundle, and the classic API cannot be
// tree-shaken (~420 KB of a bundle, ~25 ms of its start-up to parse); mini brings only what is used.
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { UserError } from './errors.js';

// zod/mini loads no locale: without this, an enum mismatch would say only 'Invalid input'.
z.config(en());

/** The schema of one option's string value. */
export type OptionValue = z.ZodMiniType<string>;

export interface OptionSchema {
  /** Known keys; each schema validates the string value. */
  keys: Record<string, OptionValue>;
  /** Keys that must be present. */
  required?: string[];
  /** Prefixes under which any key is passed through (e.g. 'properties.'). */
  prefixes?: string[];
  /** Keys matching a pattern, e.g. fields.<name>.kind; `example` is shown in hints. */
  patterns?: { regex: RegExp; schema: OptionValue; example: string }[];
}

export interface OptionProblem {
  option: string;
  message: string;
  hint?: string;
}

/** Any string. */
export const anyString = (): OptionValue => z.string();
/** A string that passes `test`; otherwise `message`. */
export const stringWhere = (test: (s: string) => boolean, message: string): OptionValue => z.string().check(z.refine(test, message));
/** A string for which `problem` returns null; otherwise what it returns is the message. */
export const stringChecked = (problem: (s: string) => string | null): OptionValue => z.string().check(z.superRefine((s, ctx) => {
  const message = problem(s);
  if (message !== null) ctx.addIssue({ code: 'custom', message });
}));
export const nonEmptyString = (message = 'must not be empty'): OptionValue => z.string().check(z.minLength(1, message));
export const oneOf = (...values: [string, ...string[]]) => z.enum(values);
export const intString = (min = Number.MIN_SAFE_INTEGER): OptionValue =>
  z.string().check(z.regex(/^-?\d+$/, 'must be an integer'), z.refine((s) => Number(s) >= min, `must be at least ${min}`));
export const boolString = () => z.enum(['true', 'false']);
/** A duration; with `minMs`, one at least that long (the message names it in Flink's spelling, e.g. '1 s'). */
export const durationString = (minMs?: number, min?: string) => stringChecked((s) => {
  const ms = parseDurationSafe(s);
  if (ms === null) return 'must be a duration such as 1000, 500 ms, 10 s, 1 min';
  return minMs !== undefined && ms < minMs ? `must be at least ${min ?? `${minMs} ms`}` : null;
});
export const memoryString = () => stringWhere((s) => parseMemorySafe(s) !== null, 'must be a memory size such as 42mb, 2kb, 1gb');

/** Checks options against a schema; every problem names the option and, where it has a closed set, the allowed values. */
export function validateOptions(schema: OptionSchema, options: Record<string, string>, ignore: string[] = ['connector']): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const known = Object.keys(schema.keys);
  for (const [key, value] of Object.entries(options)) {
    if (ignore.includes(key)) continue;
    const keySchema = schema.keys[key] ?? schema.patterns?.find((p) => p.regex.test(key))?.schema;
    if (!keySchema) {
      if (schema.prefixes?.some((p) => key.startsWith(p))) continue;
      const near = nearest(key, known);
      problems.push({
        option: key,
        message: `unsupported option '${key}'`,
        hint: near ? `did you mean '${near}'?` : `supported options: ${[...known, ...(schema.prefixes ?? []).map((p) => p + '*'), ...(schema.patterns ?? []).map((p) => p.example)].join(', ')}`,
      });
      continue;
    }
    const parsed = keySchema.safeParse(value);
    if (!parsed.success) {
      const allowed = allowedValues(keySchema);
      problems.push({
        option: key,
        message: `invalid value '${value}' for option '${key}': ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        hint: allowed ? `allowed values: ${allowed.join(', ')}` : undefined,
      });
    }
  }
  for (const key of schema.required ?? []) {
    if (!(key in options)) problems.push({ option: key, message: `missing required option '${key}'` });
  }
  return problems;
}

function allowedValues(schema: OptionValue): string[] | null {
  const opts = (schema as unknown as { options?: unknown }).options;
  return Array.isArray(opts) ? opts.map(String) : null;
}

/** The closest candidate by edit distance, if close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) { bestDistance = d; best = c; }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

const DURATION_UNITS: Record<string, number> = {
  '': 1, ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  min: 60_000, m: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

function parseDurationSafe(s: string): number | null {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(s);
  if (!m) return null;
  const unit = DURATION_UNITS[m[2].toLowerCase()];
  return unit === undefined ? null : Number(m[1]) * unit;
}

/** Flink duration: a bare number is milliseconds. */
export function parseDuration(s: string): number {
  const v = parseDurationSafe(s);
  if (v === null) throw new Error(`invalid duration '${s}'`);
  return v;
}

const MEMORY_UNITS: Record<string, number> = { '': 1, b: 1, bytes: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

function parseMemorySafe(s: string): number | null {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(s);
  if (!m) return null;
  const unit = MEMORY_UNITS[m[2].toLowerCase()];
  return unit === undefined ? null : Number(m[1]) * unit;
}

export function parseMemorySize(s: string): number {
  const v = parseMemorySafe(s);
  if (v === null) throw new Error(`invalid memory size '${s}'`);
  return v;
}

// Readers of flat Flink-style configuration (`key: value` strings: the cluster's, a job's `-D` and getConfig()).
type Config = Record<string, string>;

export function durationOption(config: Config, key: string, fallbackMs: number): number {
  const v = config[key];
  if (v === undefined || v === '') return fallbackMs;
  const ms = parseDurationSafe(v);
  if (ms === null) throw new UserError(`${key}: '${v}' is not a duration`, 'e.g. 500, 500 ms, 10 s, 1 min');
  return ms;
}

export function intOption(config: Config, key: string, fallback: number, min = 0): number {
  const v = config[key];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${key}: '${v}' must be an integer of at least ${min}`);
  return n;
}

export function numberOption(config: Config, key: string, fallback: number, min = 0): number {
  const v = config[key];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UserError(`${key}: '${v}' must be a number of at least ${min}`);
  return n;
}

export function booleanOption(config: Config, key: string, fallback: boolean): boolean {
  const v = config[key];
  if (v === undefined || v === '') return fallback;
  if (v !== 'true' && v !== 'false') throw new UserError(`${key}: '${v}' must be true or false`);
  return v === 'true';
}
