// The one table of SQL time units and the calendar arithmetic on them, on epoch milliseconds (UTC): what
// INTERVAL literals, FLOOR/CEIL(... TO unit), TIMESTAMPADD, TIMESTAMPDIFF and `ts + INTERVAL` use. Units up to
// WEEK have a fixed length; MONTH, QUARTER and YEAR are counted in calendar months, as Flink does (adding a
// month to Jan 31 gives the last day of February, not March 3).

export type TimeUnit = 'MILLISECOND' | 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

export type UnitLength = { readonly kind: 'fixed'; readonly ms: number } | { readonly kind: 'calendar'; readonly months: number };

const DAY_MS = 86_400_000;

export const TIME_UNITS: Readonly<Record<TimeUnit, UnitLength>> = {
  MILLISECOND: { kind: 'fixed', ms: 1 },
  SECOND: { kind: 'fixed', ms: 1000 },
  MINUTE: { kind: 'fixed', ms: 60_000 },
  HOUR: { kind: 'fixed', ms: 3_600_000 },
  DAY: { kind: 'fixed', ms: DAY_MS },
  WEEK: { kind: 'fixed', ms: 7 * DAY_MS },
  MONTH: { kind: 'calendar', months: 1 },
  QUARTER: { kind: 'calendar', months: 3 },
  YEAR: { kind: 'calendar', months: 12 },
};

export const isTimeUnit = (u: string): u is TimeUnit => Object.prototype.hasOwnProperty.call(TIME_UNITS, u);

/** The length of a fixed unit in milliseconds; undefined for calendar units (and unknown names). */
export function unitMillis(unit: string): number | undefined {
  const u = isTimeUnit(unit) ? TIME_UNITS[unit] : undefined;
  return u?.kind === 'fixed' ? u.ms : undefined;
}

const mod = (a: number, b: number) => ((a % b) + b) % b;

/**
 * Adds calendar months; the day of month is clamped to the target month's last day (Jan 31 + 1 month =
 * Feb 28/29), the time of day is kept. This is java.time.LocalDateTime.plusMonths, which Flink uses.
 */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12), month = mod(total, 12);
  const day = Math.min(d.getUTCDate(), month === 1 && isLeap(year) ? 29 : MONTH_DAYS[month]);
  const out = new Date(0);
  out.setUTCFullYear(year, month, day);
  out.setUTCHours(0, 0, 0, 0);
  return out.getTime() + mod(ms, DAY_MS);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** TIMESTAMPADD(unit, n, ts) and `ts + INTERVAL 'n' unit`. */
export function addUnits(ms: number, unit: string, n: number): number {
  const u = isTimeUnit(unit) ? TIME_UNITS[unit] : undefined;
  if (!u) throw new Error(`unknown time unit '${unit}'`);
  return u.kind === 'fixed' ? ms + n * u.ms : addMonths(ms, n * u.months);
}

/** FLOOR(ts TO unit) on epoch millis; weeks start on Sunday as in Flink (epoch day 0 was a Thursday). */
export function floorTime(ms: number, unit: string): number {
  if (unit === 'WEEK') return ms - mod(ms + 4 * DAY_MS, 7 * DAY_MS);
  const step = unitMillis(unit);
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
  const step = unitMillis(unit);
  if (step !== undefined) return f + step;
  return addMonths(f, (TIME_UNITS[unit as TimeUnit] as { months: number }).months);
}

/** TIMESTAMPDIFF(unit, a, b): whole units from a to b, truncated toward zero. */
export function timestampDiff(unit: string, a: number, b: number): number {
  const u = isTimeUnit(unit) ? TIME_UNITS[unit] : undefined;
  if (u?.kind === 'calendar') {
    const da = new Date(a), db = new Date(b);
    let months = (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + (db.getUTCMonth() - da.getUTCMonth());
    const rest = (x: Date) => x.getTime() - Date.UTC(x.getUTCFullYear(), x.getUTCMonth(), 1);
    if (months > 0 && rest(db) < rest(da)) months--;
    if (months < 0 && rest(db) > rest(da)) months++;
    return Math.trunc(months / u.months);
  }
  return Math.trunc((b - a) / (u?.ms ?? 1));
}
