// The implementations of the built-in scalar functions that are more than an operator, on non-null values:
// the function table (builtins.ts) points at these, and generated code reaches them through functions.ts.
import { createHash } from 'node:crypto';
import { formatTimestamp, parseTimestamp, sqlString } from './values.js';
import {
  DecimalError, decimalToDouble, decimalToLong, divideDecimal, fit, fromInteger, parseDecimal, remainderDecimal,
} from './decimal.js';
import { javaDouble } from './java-strings.js';
import type { DataType } from './data-types.js';
import { isInteger } from './data-types.js';
import { floorTime } from './time-units.js';

/** SQL LIKE with % and _ (and an optional escape character), compiled once per pattern. */
const likeCache = new Map<string, RegExp>();
export function like(s: string, pattern: string, escape?: string): boolean {
  const cacheKey = pattern + '\u0000' + (escape ?? '');
  let re = likeCache.get(cacheKey);
  if (!re) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (escape && c === escape && i + 1 < pattern.length) src += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      else if (c === '%') src += '[\\s\\S]*';
      else if (c === '_') src += '[\\s\\S]';
      else src += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`);
    likeCache.set(cacheKey, re);
  }
  return re.test(s);
}

/** DATE_FORMAT with Java SimpleDateFormat letters (yyyy yy MM M dd d HH H mm m ss s SSS); a letter run's length pads. */
export function dateFormat(ms: number, pattern: string): string {
  const d = new Date(ms);
  return pattern.replace(/y+|M+|d+|H+|m+|s+|S+/g, (t) => {
    const w = t.length;
    const p = (n: number) => String(n).padStart(w, '0');
    switch (t[0]) {
      case 'y': return w === 2 ? String(d.getUTCFullYear() % 100).padStart(2, '0') : p(d.getUTCFullYear());
      case 'M': return p(d.getUTCMonth() + 1);
      case 'd': return p(d.getUTCDate());
      case 'H': return p(d.getUTCHours());
      case 'm': return p(d.getUTCMinutes());
      case 's': return p(d.getUTCSeconds());
      default: return String(d.getUTCMilliseconds()).padStart(3, '0').slice(0, w).padEnd(w, '0');
    }
  });
}

const PATTERN_FIELDS: Record<string, string> = { y: 'year', M: 'month', d: 'day', H: 'hour', m: 'minute', s: 'second', S: 'milli' };
const patternCache = new Map<string, { re: RegExp; fields: string[] }>();

/** Parses text with a SimpleDateFormat pattern (y M d H m s S, other characters literal) to epoch millis; null when it does not match. */
function parseWithPattern(text: string, pattern: string): number | null {
  let p = patternCache.get(pattern);
  if (!p) {
    const fields: string[] = [];
    const src = pattern.replace(/y+|M+|d+|H+|m+|s+|S+|[^yMdHmsS]+/g, (t) => {
      const field = PATTERN_FIELDS[t[0]];
      if (!field) return t.replace(/'/g, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      fields.push(field);
      return t.length > 1 && t[0] !== 'y' && t[0] !== 'S' ? `(\\d{${t.length}})` : '(\\d+)';
    });
    p = { re: new RegExp(`^${src}$`), fields };
    patternCache.set(pattern, p);
  }
  const m = p.re.exec(text.trim());
  if (!m) return null;
  const v: Record<string, number> = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, milli: 0 };
  p.fields.forEach((f, i) => { v[f] = Number(m[i + 1]); });
  const ms = parseTimestamp(`${String(v.year).padStart(4, '0')}-${String(v.month).padStart(2, '0')}-${String(v.day).padStart(2, '0')} ${String(v.hour).padStart(2, '0')}:${String(v.minute).padStart(2, '0')}:${String(v.second).padStart(2, '0')}`);
  return ms === null ? null : ms + v.milli;
}

/** TO_TIMESTAMP(s[, pattern]) and TO_DATE: NULL where the text does not match, as in Flink. */
export function toTimestamp(text: string, pattern: string | null, to: DataType): number | null {
  if (pattern === null) return tryCast(text, to) as number | null;
  const ms = parseWithPattern(text, pattern);
  return ms === null || to.name !== 'DATE' ? ms : floorTime(ms, 'DAY');
}

const regexCache = new Map<string, RegExp>();
/** A Java regular expression as a JavaScript one (the common syntax is the same), compiled once. */
export function regex(source: string, flags: string): RegExp {
  const key = flags + '\u0000' + source;
  let re = regexCache.get(key);
  if (!re) regexCache.set(key, (re = new RegExp(source, flags)));
  re.lastIndex = 0;
  return re;
}

/** LPAD/RPAD: pads to n characters with `pad`, or cuts to n when longer; NULL for a negative length, as in Flink. */
export function pad(s: string, n: number, padding: string, left: boolean): string | null {
  if (n < 0) return null;
  if (s.length >= n) return s.slice(0, n);
  if (padding === '') return s;
  const fill = padding.repeat(Math.ceil((n - s.length) / padding.length)).slice(0, n - s.length);
  return left ? fill + s : s + fill;
}

/** A hash of the UTF-8 bytes of s, as lower-case hex (MD5, SHA1, SHA2). */
export function hash(algorithm: string, s: string): string {
  return createHash(algorithm).update(s, 'utf8').digest('hex');
}

/** REPLACE(s, search, replacement) as Java's String.replace: an empty search inserts between all characters and at both ends. */
export function replace(s: string, search: string, replacement: string): string {
  if (search !== '') return s.split(search).join(replacement);
  return s === '' ? replacement : replacement + [...s].join(replacement) + replacement;
}

/** LTRIM/RTRIM/BTRIM(s[, chars]): strips the characters of `chars` (a space by default) from one or both ends. */
export function trimChars(s: string, chars: string | null | undefined, left: boolean, right: boolean): string {
  const set = new Set(chars ?? ' ');
  const cs = [...s];
  let a = 0, b = cs.length;
  if (left) while (a < b && set.has(cs[a])) a++;
  if (right) while (b > a && set.has(cs[b - 1])) b--;
  return cs.slice(a, b).join('');
}

export function extract(unit: string, ms: number): number {
  const d = new Date(ms);
  switch (unit as ExtractUnit) {
    case 'YEAR': return d.getUTCFullYear();
    case 'QUARTER': return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'MONTH': return d.getUTCMonth() + 1;
    case 'WEEK': return isoWeek(d);
    case 'DAY': return d.getUTCDate();
    // Day of the year (1..366) and of the week (Sunday 1 .. Saturday 7), as Flink's EXTRACT(DOY/DOW) and DAYOFWEEK.
    case 'DOY': return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    case 'DOW': return d.getUTCDay() + 1;
    case 'HOUR': return d.getUTCHours();
    case 'MINUTE': return d.getUTCMinutes();
    case 'SECOND': return d.getUTCSeconds();
    case 'MILLISECOND': return d.getUTCMilliseconds();
  }
}

/** The units EXTRACT takes (its type rule rejects the others at compile time). */
export const EXTRACT_UNITS = ['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'DOY', 'DOW', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'] as const;
export type ExtractUnit = (typeof EXTRACT_UNITS)[number];

/** The ISO-8601 week of the year (weeks start on Monday; week 1 holds the year's first Thursday), as Flink's WEEK. */
function isoWeek(d: Date): number {
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 3 - ((d.getUTCDay() + 6) % 7));
  const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return Math.floor((thursday - yearStart) / (7 * 86_400_000)) + 1;
}

/** The failure of a CAST that Flink fails the job for (TRY_CAST gives NULL instead). */
class CastError extends Error {}

/** Bits of the integer types that wrap as Java's; BIGINT is exact within ±2^53 instead (docs/types.md). */
export const INT_BITS: Record<string, number> = { TINYINT: 8, SMALLINT: 16, INT: 32 };

/** The integer n in `bits` bits (8, 16, 32) as Java's two's-complement arithmetic keeps it; 0 bits: n itself. */
export function wrapInteger(n: number, bits: number): number {
  if (!bits) return n;
  if (Number.isSafeInteger(n) && Math.abs(n) < 2 ** 31) return bits === 32 ? n | 0 : (n << (32 - bits)) >> (32 - bits);
  return Number(BigInt.asIntN(bits, BigInt(n)));
}

/** Java's (int)/(long) of a double: truncated, NaN 0, saturated at the type's bounds (then narrowed as Java does). */
function fromFloating(n: number, to: string): number {
  if (Number.isNaN(n)) return 0;
  const t = Math.trunc(n);
  if (to === 'BIGINT') return Math.max(-(2 ** 63), Math.min(2 ** 63, t));
  return wrapInteger(Math.max(-2147483648, Math.min(2147483647, t)), INT_BITS[to]);
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number a string holds (surrounding whitespace allowed, as Flink trims), or a CastError. */
function parseNumber(s: string, to: DataType): number {
  const t = s.trim();
  if (!NUMBER_TEXT.test(t) || (isInteger(to) && /[eE]/.test(t))) throw new CastError(`cannot cast '${s}' to ${to.name}`);
  const n = isInteger(to) ? Math.trunc(Number(t)) : Number(t);
  if (isInteger(to)) {
    const bits = INT_BITS[to.name] ?? 64;
    if (Math.abs(n) >= 2 ** (bits - 1) && !(n === -(2 ** (bits - 1)))) throw new CastError(`'${s}' is out of the range of ${to.name}`);
  }
  return n;
}

/**
 * CAST between the value representations of data-types.ts, as Flink casts (docs/types.md): to STRING in
 * Flink's spelling (sqlString), CHAR(n)/VARCHAR(n) cut (CHAR padded) to n, integers narrowed as Java narrows,
 * DECIMAL exact (decimal.ts): rounded HALF_UP to its scale, NULL when it has too many digits. A string that
 * does not convert is a CastError.
 */
export function cast(v: unknown, to: DataType, from?: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return fromDecimal(v, to, from!);
  switch (to.name) {
    case 'STRING': case 'VARCHAR': case 'CHAR': {
      const text = typeof v === 'string' ? v : from ? sqlString(v, from) : String(v);
      if (to.name === 'STRING' || to.precision === undefined || to.precision >= 2147483647) return text;
      const cut = [...text].slice(0, to.precision).join('');
      return to.name === 'CHAR' ? cut.padEnd(to.precision, ' ') : cut;
    }
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': {
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string') return wrapInteger(Math.trunc(parseNumber(v, to)), INT_BITS[to.name]);
      const n = v as number;
      if (from && (from.name === 'DOUBLE' || from.name === 'FLOAT')) return fromFloating(n, to.name);
      return wrapInteger(Math.trunc(n), INT_BITS[to.name]);
    }
    case 'DECIMAL': return toDecimal(v, to, from);
    case 'FLOAT': case 'DOUBLE': {
      const n = typeof v === 'string' ? parseNumber(v, to) : typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
      return to.name === 'FLOAT' ? Math.fround(n) : n;
    }
    case 'BOOLEAN':
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (['true', 't', 'yes', 'y', '1'].includes(t)) return true;
        if (['false', 'f', 'no', 'n', '0'].includes(t)) return false;
        throw new CastError(`cannot cast '${v}' to BOOLEAN`);
      }
      return Boolean(v);
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': case 'DATE': case 'TIME': {
      if (typeof v === 'string') {
        const ms = to.name === 'TIME' ? parseTime(v) : parseTimestamp(v);
        if (ms === null) throw new CastError(`cannot cast '${v}' to ${to.name}`);
        return to.name === 'DATE' ? floorTime(ms, 'DAY') : ms;
      }
      if (to.name === 'DATE') return floorTime(v as number, 'DAY');
      if (to.name === 'TIME') return ((v as number) % 86_400_000 + 86_400_000) % 86_400_000 - (to.precision ? 0 : ((v as number) % 1000 + 1000) % 1000);
      // TIMESTAMP(p) below milliseconds keeps p fraction digits.
      const step = 10 ** Math.max(0, 3 - (to.precision ?? 6));
      return step === 1 ? v : Math.floor((v as number) / step) * step;
    }
    // Collections cast element by element; a ROW's fields by position, taking the target's field names.
    case 'ARRAY': return (v as unknown[]).map((e) => cast(e, to.element!, from?.element));
    case 'MAP': return new Map([...(v as Map<unknown, unknown>)].map(([k, e]) => [cast(k, to.key!, from?.key), cast(e, to.value!, from?.value)]));
    case 'ROW': {
      const values = from?.fields ? from.fields.map((f) => (v as Record<string, unknown>)[f.name]) : Object.values(v as object);
      return Object.fromEntries((to.fields ?? []).map((f, i) => [f.name, cast(values[i] ?? null, f.type, from?.fields?.[i]?.type)]));
    }
    default:
      return v;
  }
}

/** A number, string or boolean to DECIMAL(p, s), as Flink's DecimalDataUtils.castFrom: NULL when it does not fit. */
function toDecimal(v: unknown, to: DataType, from?: DataType): bigint | null {
  const p = to.precision ?? 10, s = to.scale ?? 0;
  if (typeof v === 'boolean') return fromInteger(v ? 1 : 0, p, s);
  if (typeof v === 'string') {
    try {
      return parseDecimal(v, p, s);
    } catch (e) {
      throw e instanceof DecimalError ? new CastError(`cannot cast '${v}' to ${typeToText(to)}: not a number`) : e;
    }
  }
  const n = v as number;
  if (Number.isInteger(n) && !(from && (from.name === 'DOUBLE' || from.name === 'FLOAT'))) return fromInteger(n, p, s);
  // A DOUBLE as BigDecimal.valueOf(d) reads it: the digits of Double.toString.
  if (!Number.isFinite(n)) throw new CastError(`cannot cast ${n} to ${typeToText(to)}: Infinite or NaN`);
  return parseDecimal(javaDouble(n), p, s);
}

const typeToText = (t: DataType) => `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`;

/** A DECIMAL (the bigint of decimal.ts at its type's scale) to another type, as Flink's DecimalDataUtils casts. */
function fromDecimal(u: bigint, to: DataType, from: DataType): unknown {
  const p = from.precision ?? 10, s = from.scale ?? 0;
  switch (to.name) {
    case 'DECIMAL': return fit(u, s, to.precision ?? 10, to.scale ?? 0);
    case 'TINYINT': case 'SMALLINT': case 'INT': return wrapInteger(Number(BigInt.asIntN(INT_BITS[to.name], decimalToLong(u, s))), INT_BITS[to.name]);
    case 'BIGINT': return Number(decimalToLong(u, s));
    case 'DOUBLE': return decimalToDouble(u, p, s);
    case 'FLOAT': return Math.fround(decimalToDouble(u, p, s));
    case 'BOOLEAN': return u !== 0n;
    case 'STRING': case 'VARCHAR': case 'CHAR': return cast(sqlString(u, from), to);
    default: return u;
  }
}

/** TRY_CAST: CAST, with NULL where CAST fails. */
export function tryCast(v: unknown, to: DataType, from?: DataType): unknown {
  try {
    return cast(v, to, from);
  } catch (e) {
    if (e instanceof CastError) return null;
    throw e;
  }
}

function parseTime(s: string): number | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(s.trim());
  if (!m || +m[1] > 23 || +m[2] > 59 || (m[3] && +m[3] > 59)) return null;
  return ((+m[1] * 60 + +m[2]) * 60 + (m[3] ? +m[3] : 0)) * 1000 + (m[4] ? Number((m[4] + '00').slice(0, 3)) : 0);
}

/** Rounds half away from zero at `scale` decimal places (negative: tens, hundreds), reading the double as its
 * 15 significant digits so that 1.005 rounds to 1.01 as the decimal it was written as. */
export function roundHalfUp(n: number, scale: number): number {
  const f = 10 ** scale;
  const shifted = Number((Math.abs(n) * f).toPrecision(15));
  return (Math.sign(n) * Math.round(shifted)) / f;
}

/** Integer division or remainder by zero: fails the job as in Flink (Java's ArithmeticException). */
export function divisionByZero(): never {
  throw new Error('/ by zero (integer division or MOD by zero, as Java raises ArithmeticException)');
}

/**
 * Integer division truncates as Java's; floating-point division by zero is Infinity or NaN, as in Java;
 * DECIMAL division (the scales and the result's precision and scale given) as Flink's, exact.
 */
export function divide(a: any, b: any, integer: boolean, sa?: number, sb?: number, p?: number, s?: number): unknown {
  if (sa !== undefined) return decimalOp('/', a, b, sa, sb!, p!, s!);
  if (!integer) return a / b;
  return b === 0 ? divisionByZero() : Math.trunc(a / b);
}

/** Java's % keeps the dividend's sign, as JavaScript's does; an integer remainder by zero fails. DECIMAL as divide. */
export function modulo(a: any, b: any, integer: boolean, sa?: number, sb?: number, p?: number, s?: number): unknown {
  if (sa !== undefined) return decimalOp('%', a, b, sa, sb!, p!, s!);
  return b === 0 && integer ? divisionByZero() : a % b;
}

/**
 * DECIMAL arithmetic on the bigints of decimal.ts: a at scale sa, b at sb, the result DECIMAL(p, s) or NULL
 * when it has more than p digits (Flink's DecimalDataUtils). A zero divisor fails the job as in Flink.
 */
export function decimalOp(op: string, a: bigint, b: bigint, sa: number, sb: number, p: number, s: number): bigint | null {
  try {
    switch (op) {
      case '+': return sa === sb ? fit(a + b, sa, p, s) : fit(rescaleTo(a, sa, sb) + rescaleTo(b, sb, sa), Math.max(sa, sb), p, s);
      case '-': return sa === sb ? fit(a - b, sa, p, s) : fit(rescaleTo(a, sa, sb) - rescaleTo(b, sb, sa), Math.max(sa, sb), p, s);
      case '*': return fit(a * b, sa + sb, p, s);
      case '/': return divideDecimal(a, sa, b, sb, p, s);
      case '%': return remainderDecimal(a, sa, b, sb, p, s);
      default: throw new Error(`unknown DECIMAL operator ${op}`);
    }
  } catch (e) {
    if (e instanceof DecimalError) throw new Error(`DECIMAL ${op === '%' ? 'MOD' : 'division'}: ${e.message} (java.lang.ArithmeticException in Flink)`);
    throw e;
  }
}

/** a at scale sa brought to the larger of sa and other (exact). */
const rescaleTo = (a: bigint, sa: number, other: number) => (other > sa ? a * 10n ** BigInt(other - sa) : a);

/** SQL comparison of two non-null values of comparable types (strings compared with timestamps are parsed). */
export function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'number') a = parseTimestamp(a) ?? a;
  if (typeof b === 'string' && typeof a === 'number') b = parseTimestamp(b) ?? b;
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

export function substring(s: string, start: number, length?: number): string {
  const from = start > 0 ? start - 1 : start === 0 ? 0 : Math.max(0, s.length + start);
  return length === undefined ? s.slice(from) : s.slice(from, from + Math.max(0, length));
}

