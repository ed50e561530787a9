// Builtin scalar functions with SQL semantics (NULL in, NULL out), written once: the unfused interpreter
// calls them through the table below; generated code inlines arithmetic and comparisons and calls these
// for the rest (as `rt.fn.<name>`).
import { formatTimestamp, parseTimestamp } from './values.js';
import type { DataType } from './data-types.js';
import { isInteger } from './data-types.js';

const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000, WEEK: 7 * 86_400_000,
};

/** FLOOR(ts TO unit) on epoch millis; weeks start on Monday as in Flink (epoch day 0 was a Thursday). */
export function floorTime(ms: number, unit: string): number {
  if (unit === 'WEEK') return ms - mod(ms - 4 * 86_400_000, 7 * 86_400_000);
  const step = UNIT_MS[unit];
  if (step !== undefined) return ms - mod(ms, step);
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (unit === 'MONTH') return Date.UTC(y, d.getUTCMonth(), 1);
  if (unit === 'QUARTER') return Date.UTC(y, Math.floor(d.getUTCMonth() / 3) * 3, 1);
  return Date.UTC(y, 0, 1);
}

export function ceilTime(ms: number, unit: string): number {
  const f = floorTime(ms, unit);
  if (f === ms) return ms;
  if (UNIT_MS[unit] !== undefined) return f + UNIT_MS[unit];
  const d = new Date(f);
  const months = unit === 'MONTH' ? 1 : unit === 'QUARTER' ? 3 : 12;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
}

const mod = (a: number, b: number) => ((a % b) + b) % b;

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

/** TIMESTAMPDIFF(unit, a, b): whole units from a to b, truncated toward zero. */
export function timestampDiff(unit: string, a: number, b: number): number {
  if (unit === 'MONTH' || unit === 'QUARTER' || unit === 'YEAR') {
    const da = new Date(a), db = new Date(b);
    let months = (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + (db.getUTCMonth() - da.getUTCMonth());
    const rest = (x: Date) => x.getTime() - Date.UTC(x.getUTCFullYear(), x.getUTCMonth(), 1);
    if (months > 0 && rest(db) < rest(da)) months--;
    if (months < 0 && rest(db) > rest(da)) months++;
    return Math.trunc(months / (unit === 'MONTH' ? 1 : unit === 'QUARTER' ? 3 : 12));
  }
  return Math.trunc((b - a) / (UNIT_MS[unit] ?? 1));
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
