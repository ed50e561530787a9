// Text → column value for decoders, with fast paths for the common spellings (plain integers, 'yyyy-MM-dd
// HH:mm:ss[.SSS]' timestamps) read straight from the record without slicing it. Anything else goes to
// core/values.ts parseValue, which stays the authority: a fast path only answers when parseValue would give
// the same value, so both paths agree on every input. The timestamp scanner reads bytes (sources hand records
// over as bytes, and the generated csv decoder reads them there); text goes through a small ASCII copy.
import type { DataType } from '../core/data-types.js';
import { parseValue } from '../core/values.js';

/** How a column is converted; chosen once per column when a decoder is built. */
export const enum Conv { STRING, INTEGER, TIMESTAMP, DATE, OTHER }

/** Digits an integer may have and still fit its type whatever they are (TINYINT: 99 <= 127, ...). */
const SAFE_DIGITS: Record<string, number> = { TINYINT: 2, SMALLINT: 4, INT: 9, BIGINT: 15 };

/** A column's conversion, worked out once when a decoder is built. */
export interface TextColumn {
  readonly conv: Conv;
  readonly type: DataType;
  /** INTEGER: digits the fast path may take. */
  readonly digits: number;
}

export function textColumn(type: DataType): TextColumn {
  return { conv: convOf(type), type, digits: SAFE_DIGITS[type.name] ?? 0 };
}

export function convOf(type: DataType): Conv {
  switch (type.name) {
    case 'STRING': case 'VARCHAR': case 'CHAR': return Conv.STRING;
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': return Conv.INTEGER;
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return Conv.TIMESTAMP;
    case 'DATE': return Conv.DATE;
    default: return Conv.OTHER;
  }
}

/** Converts text[start, end) to a value of the column's type; throws an Error with the reason when it does not fit. */
export function convertText(column: TextColumn, text: string, start: number, end: number): unknown {
  switch (column.conv) {
    case Conv.STRING:
      return start === 0 && end === text.length ? text : text.slice(start, end);
    case Conv.INTEGER: {
      const n = scanInteger(text, start, end, column.digits);
      return n === n ? n : parseValue(text.slice(start, end), column.type);
    }
    case Conv.TIMESTAMP: case Conv.DATE: {
      const ms = scanTimestampText(text, start, end);
      return ms === ms ? ms : parseValue(text.slice(start, end), column.type);
    }
    default:
      return parseValue(text.slice(start, end), column.type);
  }
}

/** An optionally signed run of at most maxDigits digits, or NaN (then the slow path decides). */
function scanInteger(text: string, start: number, end: number, maxDigits: number): number {
  let i = start;
  const negative = text.charCodeAt(i) === 45; // '-'
  if (negative || text.charCodeAt(i) === 43) i++; // '+'
  if (i === end || end - i > maxDigits) return NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

const digits = (b: Uint8Array, at: number, count: number): number => {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
};

/** Two digits at i as a number, -1 if either is not a digit (the caller has checked that both are in range). */
const digits2 = (b: Uint8Array, i: number): number => {
  const x = b[i] - 48;
  const y = b[i + 1] - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
};

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// The last valid date scanned (yyyyMMdd as a number) and its day number: consecutive records nearly always
// fall on the same day, so the calendar check and arithmetic run once a day instead of once a record.
let lastDate = -1;
let lastDays = 0;

/**
 * b[start, end) holding 'yyyy-MM-dd', 'yyyy-MM-dd HH:mm:ss' or that with a fraction of 1..9 digits
 * (milliseconds kept, the rest truncated as parseValue does) as epoch millis UTC; NaN for any other spelling
 * or an invalid date.
 */
export function scanTimestamp(b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len !== 10 && len < 19) return NaN;
  if (b[start + 4] !== 45 || b[start + 7] !== 45) return NaN;
  const c = digits2(b, start), yy = digits2(b, start + 2), mo = digits2(b, start + 5), d = digits2(b, start + 8);
  if (c < 0 || yy < 0 || mo < 0 || d < 0) return NaN;
  const y = c * 100 + yy;
  const date = (y * 100 + mo) * 100 + d;
  let days = lastDays;
  if (date !== lastDate) {
    // Years below 100 go to parseValue: Date.UTC maps them to 19xx, and the fast path must agree with it.
    if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1] || (mo === 2 && d === 29 && !isLeap(y))) return NaN;
    days = daysFromCivil(y, mo, d);
    lastDate = date;
    lastDays = days;
  }
  let ms = days * 86_400_000;
  if (len === 10) return ms;
  const p = start + 10;
  if (b[p] !== 32 || b[p + 3] !== 58 || b[p + 6] !== 58) return NaN;
  const h = digits2(b, p + 1), mi = digits2(b, p + 4), s = digits2(b, p + 7);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return NaN;
  ms += ((h * 60 + mi) * 60 + s) * 1000;
  if (len === 19) return ms;
  const fraction = len - 20;
  if (b[p + 9] !== 46 || fraction < 1 || fraction > 9) return NaN;
  if (fraction === 3) {
    const x = b[p + 10] - 48;
    const ms3 = digits2(b, p + 11);
    return x >= 0 && x <= 9 && ms3 >= 0 ? ms + x * 100 + ms3 : NaN;
  }
  const f = digits(b, p + 10, fraction);
  if (f < 0) return NaN;
  return ms + (fraction >= 3 ? Math.floor(f / 10 ** (fraction - 3)) : f * 10 ** (3 - fraction));
}

/** Room for the longest spelling scanTimestamp takes (29 characters). */
const scratch = new Uint8Array(32);

/** scanTimestamp over text[start, end): copies it as bytes when it is short ASCII, else NaN. */
function scanTimestampText(text: string, start: number, end: number): number {
  if (end - start > scratch.length) return NaN;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return NaN;
    scratch[i - start] = c;
  }
  return scanTimestamp(scratch, 0, end - start);
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
