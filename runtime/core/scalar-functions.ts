// The implementations of the built-in scalar functions that are more than an operator, on non-null values:
// the function table (builtins.ts) points at these, and generated code reaches them through functions.ts.
import { formatTimestamp, parseTimestamp } from './values.js';
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

/** DATE_FORMAT with Java SimpleDateFormat letters (yyyy MM dd HH mm ss SSS). */
export function dateFormat(ms: number, pattern: string): string {
  const d = new Date(ms);
  const p = (n: number, w: number) => String(n).padStart(w, '0');
  return pattern.replace(/yyyy|yy|MM|dd|HH|mm|ss|SSS/g, (t) => {
    switch (t) {
      case 'yyyy': return p(d.getUTCFullYear(), 4);
      case 'yy': return p(d.getUTCFullYear() % 100, 2);
      case 'MM': return p(d.getUTCMonth() + 1, 2);
      case 'dd': return p(d.getUTCDate(), 2);
      case 'HH': return p(d.getUTCHours(), 2);
      case 'mm': return p(d.getUTCMinutes(), 2);
      case 'ss': return p(d.getUTCSeconds(), 2);
      default: return p(d.getUTCMilliseconds(), 3);
    }
  });
}

export function extract(unit: string, ms: number): number {
  const d = new Date(ms);
  switch (unit) {
    case 'YEAR': return d.getUTCFullYear();
    case 'MONTH': return d.getUTCMonth() + 1;
    case 'DAY': return d.getUTCDate();
    case 'HOUR': return d.getUTCHours();
    case 'MINUTE': return d.getUTCMinutes();
    case 'SECOND': return d.getUTCSeconds();
    default: throw new Error(`EXTRACT(${unit}) is not supported`);
  }
}

/** CAST between the value representations of data-types.ts; NULL when the value does not convert (as TRY_CAST). */
export function cast(v: unknown, to: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (to.name) {
    case 'STRING': case 'VARCHAR': case 'CHAR':
      if (typeof v === 'string') return v;
      return String(v);
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': {
      const n = typeof v === 'string' ? Number(v.trim()) : typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
      return Number.isFinite(n) ? Math.trunc(n) : null;
    }
    case 'FLOAT': case 'DOUBLE': case 'DECIMAL': {
      const n = typeof v === 'string' ? Number(v.trim()) : typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
      if (!Number.isFinite(n)) return null;
      return to.name === 'DECIMAL' ? roundHalfUp(n, to.scale ?? 0) : n;
    }
    case 'BOOLEAN':
      if (typeof v === 'string') return v.toLowerCase() === 'true' ? true : v.toLowerCase() === 'false' ? false : null;
      return Boolean(v);
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': case 'DATE':
      if (typeof v === 'string') return parseTimestamp(v);
      return to.name === 'DATE' ? floorTime(v as number, 'DAY') : v;
    default:
      return v;
  }
}

export function roundHalfUp(n: number, scale: number): number {
  const f = 10 ** scale;
  return Math.sign(n) * Math.round(Math.abs(n) * f) / f;
}

/** Integer division truncates as Java's; division by zero is a runtime error in Flink, NULL here (documented). */
export function divide(a: number, b: number, integer: boolean): number | null {
  if (b === 0) return integer ? null : a / b;
  return integer ? Math.trunc(a / b) : a / b;
}

/** Java's % keeps the dividend's sign, as JavaScript's does. */
export function modulo(a: number, b: number): number | null {
  return b === 0 ? null : a % b;
}

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

export { formatTimestamp, isInteger };
