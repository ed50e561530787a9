// Date and time built-ins of the function table beyond the core ones in builtins.ts: the EXTRACT shorthands
// (YEAR(ts) ... SECOND(ts), WEEK, DAYOFWEEK ...), conversions between epoch numbers, strings and timestamps
// (FROM_UNIXTIME, UNIX_TIMESTAMP, TO_DATE, TO_TIMESTAMP_LTZ) and CONVERT_TZ. Times are epoch milliseconds in
// the session time zone, which is UTC (docs/types.md); patterns are SimpleDateFormat's, as in Flink.
import { type BuiltinDef } from './builtin-def.js';
import { DataTypes, isNumeric, isString, isTemporal, typeToString } from './data-types.js';
import { dateFormat, extract, toTimestamp, type ExtractUnit } from './scalar-functions.js';
import { floorTime } from './time-units.js';

const DEFAULT_PATTERN = 'yyyy-MM-dd HH:mm:ss';

/** NAME(ts) = EXTRACT(UNIT FROM ts). */
function extractFn(sql: string, unit: ExtractUnit): BuiltinDef {
  return {
    sql: [sql], api: [],
    type: (t) => { t.need(0, isTemporal, 'a TIMESTAMP or DATE'); return t.result(DataTypes.BIGINT()); },
    eval: { kind: 'strict', impl: (ms) => extract(unit, ms) },
  };
}

/** The offset of a time zone from UTC at an instant, in milliseconds (from the platform's zone database). */
function zoneOffset(utcMs: number, zone: string): number {
  const parts = zoneFormat(zone).formatToParts(new Date(utcMs));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour') % 24, n('minute'), n('second')) - Math.floor(utcMs / 1000) * 1000;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, f);
  }
  return f;
}

/** CONVERT_TZ(text, from, to): the wall-clock time `text` in zone `from`, as wall-clock time in zone `to`. */
function convertTz(text: string, from: string, to: string): string | null {
  const local = toTimestamp(text, null, DataTypes.TIMESTAMP(3)); // with or without fractions of a second, as Flink
  if (local === null) return null;
  let utc = local - zoneOffset(local, from);
  utc = local - zoneOffset(utc, from); // once more: the offset at the instant itself, across a DST change
  return dateFormat(utc + zoneOffset(utc, to), DEFAULT_PATTERN);
}

/** A time zone argument written as a literal must be one the platform knows. */
function knownZone(zone: unknown): boolean {
  try { zoneFormat(String(zone)); return true; } catch { return false; }
}

export const TEMPORAL_FUNCTIONS = {
  currentDate: { sql: ['CURRENT_DATE'], api: [], type: () => DataTypes.DATE().notNull!(), eval: { kind: 'special', form: 'today' } },
  currentTime: { sql: ['CURRENT_TIME', 'LOCALTIME'], api: [], type: () => DataTypes.TIME(0).notNull!(), eval: { kind: 'special', form: 'timeOfDay' } },
  // Flink's CURRENT_WATERMARK(rowtime): the operator's current watermark, typed as the rowtime (without being one),
  // NULL until a watermark has arrived; `WHERE ts > CURRENT_WATERMARK(ts) OR CURRENT_WATERMARK(ts) IS NULL` drops late rows.
  currentWatermark: {
    sql: ['CURRENT_WATERMARK'], api: [],
    type: (t) => {
      if (t.args.length !== 1 || t.t(0).timeAttribute !== 'rowtime') {
        t.fail(`CURRENT_WATERMARK() takes one rowtime attribute, got ${t.args.map((x) => typeToString(x.type)).join(', ') || 'nothing'}`,
          'pass the column of the table\'s WATERMARK FOR clause: CURRENT_WATERMARK(ts)');
      }
      return t.result(t.t(0), true);
    },
    eval: { kind: 'special', form: 'watermark' },
  },
  year: extractFn('YEAR', 'YEAR'),
  quarter: extractFn('QUARTER', 'QUARTER'),
  month: extractFn('MONTH', 'MONTH'),
  week: extractFn('WEEK', 'WEEK'),
  dayOfYear: extractFn('DAYOFYEAR', 'DOY'),
  dayOfMonth: extractFn('DAYOFMONTH', 'DAY'),
  dayOfWeek: extractFn('DAYOFWEEK', 'DOW'),
  hour: extractFn('HOUR', 'HOUR'),
  minute: extractFn('MINUTE', 'MINUTE'),
  second: extractFn('SECOND', 'SECOND'),
  convertTz: {
    sql: ['CONVERT_TZ'], api: [],
    type: (t) => {
      [0, 1, 2].forEach((i) => t.need(i, isString, 'a string'));
      for (const i of [1, 2]) if (t.literal(i) !== undefined && !knownZone(t.literal(i))) t.fail(`CONVERT_TZ: unknown time zone '${t.literal(i)}'`, "a zone id such as 'UTC', 'Europe/Berlin' or 'Asia/Tokyo'");
      return t.result(DataTypes.STRING(), true);
    },
    eval: { kind: 'strict', impl: convertTz },
  },
  fromUnixtime: {
    sql: ['FROM_UNIXTIME'], api: [],
    type: (t) => { t.need(0, isNumeric, 'a number of seconds'); if (t.args.length > 1) t.need(1, isString, 'a pattern'); return t.result(DataTypes.STRING()); },
    eval: { kind: 'strict', impl: (s, pattern) => dateFormat(Math.floor(s) * 1000, pattern ?? DEFAULT_PATTERN) },
  },
  unixTimestamp: {
    sql: ['UNIX_TIMESTAMP'], api: [],
    type: (t) => {
      if (t.args.length === 0) t.fail('UNIX_TIMESTAMP() without arguments is not supported yet', 'UNIX_TIMESTAMP(CAST(CURRENT_TIMESTAMP AS STRING)) gives the current epoch second');
      t.need(0, isString, 'a string'); if (t.args.length > 1) t.need(1, isString, 'a pattern');
      return t.result(DataTypes.BIGINT(), true);
    },
    eval: {
      kind: 'strict',
      impl: (text, pattern) => { const ms = toTimestamp(text, pattern ?? DEFAULT_PATTERN, DataTypes.TIMESTAMP(3)); return ms === null ? null : Math.floor(ms / 1000); },
    },
  },
  toDate: {
    sql: ['TO_DATE'], api: [],
    type: (t) => { t.need(0, isString, 'a string'); if (t.args.length > 1) t.need(1, isString, 'a pattern'); return t.result(DataTypes.DATE(), true); },
    eval: { kind: 'strict', impl: (text, pattern) => { const ms = toTimestamp(text, pattern ?? 'yyyy-MM-dd', DataTypes.TIMESTAMP(3)); return ms === null ? null : floorTime(ms, 'DAY'); } },
  },
  toTimestampLtz: {
    sql: ['TO_TIMESTAMP_LTZ'], api: [],
    type: (t) => {
      t.need(0, isNumeric, 'an epoch number');
      const precision = t.args.length > 1 ? t.literal(1) : 3;
      if (precision !== 0 && precision !== 3) t.fail(`TO_TIMESTAMP_LTZ: precision ${String(precision)} is not supported`, '0 (epoch seconds) or 3 (epoch milliseconds), written as a literal');
      return t.result(DataTypes.TIMESTAMP_LTZ(3));
    },
    // Beyond the range of a timestamp (±8.64e15 ms) the result is NULL, as Flink's overflow gives.
    eval: { kind: 'strict', impl: (n, precision) => { const ms = Math.floor(precision === 0 ? n * 1000 : n); return Math.abs(ms) > 8.64e15 ? null : ms; }, consts: (c) => (c.args.length > 1 ? [] : [3]) },
  },
} satisfies Record<string, BuiltinDef>;

