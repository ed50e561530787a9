// Conversions between text and typed column values, in Flink's spellings: what formats decode and encode
// and what print shows. Timestamps are epoch milliseconds interpreted as UTC.
import type { DataType } from './data-types.js';
import { entriesOf, javaDouble, javaFloat } from './java-strings.js';
import { parseDecimal, plainString } from './decimal.js';

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses 'yyyy-MM-dd HH:mm:ss[.SSS]' (or ISO-8601 with T / Z) to epoch millis; null when malformed. */
export function parseTimestamp(s: string): number | null {
  const m = TS_RE.exec(s.trim());
  if (!m) return null;
  const frac = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
  const [year, month, day, hour, minute, second] = [+m[1], +m[2], +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0];
  // Date.UTC rolls over out-of-range fields (month 13, Feb 30) and maps years 0-99 to 19xx: reject those instead.
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(2000, month, 0)).getUTCDate() || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return null;
  date.setUTCHours(hour, minute, second, frac);
  let ms = date.getTime();
  if (m[8] && m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(ms) ? null : ms;
}

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));
const pad3 = (n: number) => (n < 10 ? '00' + n : n < 100 ? '0' + n : String(n));

/** Formats epoch millis as Flink prints a TIMESTAMP(precision): 'yyyy-MM-dd HH:mm:ss[.SSS]'. */
export function formatTimestamp(ms: number, precision = 3): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  if (precision <= 0) return base;
  return `${base}.${pad3(d.getUTCMilliseconds())}${'0'.repeat(Math.max(0, precision - 3))}`.slice(0, base.length + 1 + precision);
}

export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

export function formatTime(msOfDay: number): string {
  const s = Math.floor(msOfDay / 1000);
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
}

/**
 * Converts text to a value of the type; throws an Error with a reason when it does not fit.
 * Integers beyond JavaScript's safe range are rejected rather than rounded (docs/types.md).
 */
export function parseValue(text: string, type: DataType): unknown {
  switch (type.name) {
    case 'STRING': case 'VARCHAR': case 'CHAR': return text;
    case 'BOOLEAN': {
      const t = text.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw new Error(`'${text}' is not a BOOLEAN`);
    }
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': {
      const t = text.trim();
      if (!/^[-+]?\d+$/.test(t)) throw new Error(`'${text}' is not an integer`);
      const n = Number(t);
      if (!Number.isSafeInteger(n)) throw new Error(`${t} is outside the exact integer range (±2^53-1)`);
      return checkIntRange(n, type);
    }
    // Exact: rounded HALF_UP to the column's scale, NULL when it has more digits than the precision (as
    // Flink's formats, DecimalData.fromBigDecimal).
    case 'DECIMAL': return parseDecimal(text, type.precision ?? 10, type.scale ?? 0);
    case 'FLOAT': case 'DOUBLE': {
      const n = Number(text.trim());
      if (text.trim() === '' || Number.isNaN(n)) throw new Error(`'${text}' is not a number`);
      return n;
    }
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': case 'DATE': {
      const ms = parseTimestamp(text);
      if (ms === null) throw new Error(`'${text}' is not a ${type.name} (expected yyyy-MM-dd HH:mm:ss.SSS)`);
      return ms;
    }
    case 'TIME': {
      const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(text.trim());
      if (!m) throw new Error(`'${text}' is not a TIME`);
      return ((+m[1] * 60 + +m[2]) * 60 + (m[3] ? +m[3] : 0)) * 1000 + (m[4] ? Number((m[4] + '00').slice(0, 3)) : 0);
    }
    default:
      return JSON.parse(text);
  }
}

const INT_RANGES: Record<string, [number, number]> = {
  TINYINT: [-128, 127], SMALLINT: [-32768, 32767], INT: [-2147483648, 2147483647],
};

function checkIntRange(n: number, type: DataType): number {
  const r = INT_RANGES[type.name];
  if (r && (n < r[0] || n > r[1])) throw new Error(`${n} is outside the range of ${type.name}`);
  return n;
}

/**
 * Converts a decoded JSON value (number, string, boolean) to the column's representation;
 * throws with a reason when it does not fit.
 */
export function coerceJsonValue(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.name) {
    case 'STRING': case 'VARCHAR': case 'CHAR': return typeof v === 'string' ? v : JSON.stringify(v);
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT':
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) throw new Error(`${v} is not an exact integer`);
        return checkIntRange(v, type);
      }
      return parseValue(String(v), type);
    case 'FLOAT': case 'DOUBLE':
      return typeof v === 'number' ? v : parseValue(String(v), type);
    // A JSON number is read as a double first: exact up to 15 significant digits (longer ones as strings, docs/types.md).
    case 'DECIMAL': return parseValue(String(v), type);
    case 'BOOLEAN':
      return typeof v === 'boolean' ? v : parseValue(String(v), type);
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': case 'DATE': case 'TIME':
      return typeof v === 'number' ? v : parseValue(String(v), type);
    case 'ARRAY':
      if (!Array.isArray(v)) throw new Error(`${JSON.stringify(v)} is not an ARRAY (a JSON array)`);
      return v.map((e) => coerceJsonValue(e, type.element!));
    case 'MAP':
      if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${JSON.stringify(v)} is not a MAP (a JSON object)`);
      return new Map(Object.entries(v as Record<string, unknown>).map(([k, e]) => [coerceJsonValue(k, type.key!), coerceJsonValue(e, type.value!)]));
    case 'ROW': {
      if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${JSON.stringify(v)} is not a ROW (a JSON object)`);
      const o = v as Record<string, unknown>;
      return Object.fromEntries((type.fields ?? []).map((f) => [f.name, coerceJsonValue(o[f.name], f.type)]));
    }
    default:
      return v;
  }
}

/** A value as Flink prints it in a changelog row (print connector, csv). */
export function formatValue(v: unknown, type: DataType): string {
  if (v === null || v === undefined) return 'NULL';
  switch (type.name) {
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return formatTimestamp(v as number, type.precision ?? 6);
    case 'DATE': return formatDate(v as number);
    case 'TIME': return formatTime(v as number);
    case 'DECIMAL': return plainString(v as bigint, type.scale ?? 0);
    case 'DOUBLE': case 'FLOAT': return formatDouble(v as number);
    case 'ARRAY': case 'MAP': case 'ROW': return JSON.stringify(jsonValue(v, type));
    default: return String(v);
  }
}

/** Java's Double.toString spelling for the common cases: 12.0 rather than 12. */
function formatDouble(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return n.toFixed(1);
  return String(n);
}

/** A value for JSON output: timestamps as Flink's JSON format writes them (SQL spelling). */
export function jsonValue(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.name) {
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return formatTimestamp(v as number, type.precision ?? 3);
    case 'DATE': return formatDate(v as number);
    case 'TIME': return formatTime(v as number);
    // A JSON number: JSON.stringify writes doubles only (Node 20 has no JSON.rawJSON), so a DECIMAL goes out as
    // the double nearest to it, without trailing zeros (docs/types.md).
    case 'DECIMAL': return Number(plainString(v as bigint, type.scale ?? 0));
    case 'ARRAY': return (v as unknown[]).map((e) => jsonValue(e, type.element!));
    // A MAP is a JSON object, its keys as text (Flink's json format writes MAP<STRING, ...> so).
    case 'MAP': return Object.fromEntries(entriesOf(v).map(([k, e]) => [String(k), jsonValue(e, type.value!)]));
    case 'ROW': return Object.fromEntries((type.fields ?? []).map((f) => [f.name, jsonValue((v as Record<string, unknown>)[f.name], f.type)]));
    default: return v;
  }
}

/**
 * A value as Flink's CAST(v AS STRING) spells it: TRUE/FALSE, DOUBLE and FLOAT as Java's Double/Float.toString
 * (12.0, 1.0E10), DECIMAL with its scale, TIMESTAMP(p) and TIME(p) with p fraction digits, DATE as yyyy-MM-dd.
 */
export function sqlString(v: unknown, type: DataType): string {
  switch (type.name) {
    case 'BOOLEAN': return v ? 'TRUE' : 'FALSE';
    case 'DOUBLE': return javaDouble(v as number);
    case 'FLOAT': return javaFloat(v as number);
    case 'DECIMAL': return plainString(v as bigint, type.scale ?? 0);
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return formatTimestamp(v as number, type.precision ?? 6);
    case 'DATE': return formatDate(v as number);
    case 'TIME': {
      const base = formatTime(v as number);
      const p = type.precision ?? 0;
      return p > 0 ? `${base}.${String((v as number) % 1000).padStart(3, '0').padEnd(p, '0').slice(0, p)}` : base;
    }
    case 'ARRAY': return `[${(v as unknown[]).map((e) => (e === null ? 'NULL' : sqlString(e, type.element!))).join(', ')}]`;
    case 'MAP': return `{${entriesOf(v).map(([k, e]) => `${k === null ? 'NULL' : sqlString(k, type.key!)}=${e === null ? 'NULL' : sqlString(e, type.value!)}`).join(', ')}}`;
    case 'ROW': return `(${(type.fields ?? []).map((f) => { const e = (v as Record<string, unknown>)[f.name]; return e === null || e === undefined ? 'NULL' : sqlString(e, f.type); }).join(', ')})`;
    default: return String(v);
  }
}
