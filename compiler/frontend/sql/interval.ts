// INTERVAL literals: INTERVAL '5' SECOND, INTERVAL '10' MINUTES, INTERVAL '0.2' SECOND, INTERVAL '1:30' MINUTE
// TO SECOND in milliseconds; INTERVAL '2' MONTH / QUARTER / YEAR in months (a month has no fixed length, so
// those are only values in expressions, not window sizes). The units are core/time-units.ts's.
import type { IntervalValueContext, TimeIntervalExpressionContext, TimeIntervalUnitContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { isTimeUnit, TIME_UNITS, unitMillis } from '../../../runtime/core/time-units.js';
import type { LExpr } from '../../ir/logical-expr.js';
import { stringValue } from './names.js';
import type { SqlText } from './sql-text.js';
/** The fields of a `from TO to` interval, largest first. */
const DAY_TIME_FIELDS = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];

const SINGULAR_UNITS = new Set([...Object.keys(TIME_UNITS), 'MICROSECOND', 'NANOSECOND']);

/** A unit keyword in its singular form (MINUTES → MINUTE). */
export function unitName(raw: string): string {
  const u = raw.toUpperCase();
  return u.endsWith('S') && SINGULAR_UNITS.has(u.slice(0, -1)) ? u.slice(0, -1) : u;
}

/** An INTERVAL literal in an expression: day-time in milliseconds, year-month in months. */
export function intervalLiteral(text: SqlText, ctx: TimeIntervalExpressionContext): Extract<LExpr, { kind: 'interval' }> {
  const multi = ctx.errorCapturingMultiUnitsInterval();
  const units = multi?.multiUnitsInterval().timeIntervalUnit();
  const unit = units?.length === 1 && !multi!.unitToUnitInterval() ? unitName(units[0].getText()) : '';
  const calendar = isTimeUnit(unit) ? TIME_UNITS[unit] : undefined;
  if (calendar?.kind === 'calendar') {
    const n = numberOf(text, multi!.multiUnitsInterval().intervalValue(0)!);
    if (!Number.isInteger(n)) throw text.error(`INTERVAL '${n}' ${unit} is not a whole number of months`, ctx);
    return { kind: 'interval', millis: 0, months: n * calendar.months, loc: text.loc(ctx) };
  }
  return { kind: 'interval', millis: intervalMillis(text, ctx), loc: text.loc(ctx) };
}

/** A day-time INTERVAL in milliseconds (window sizes, watermark delays, expressions). */
export function intervalMillis(text: SqlText, ctx: TimeIntervalExpressionContext): number {
  const multi = ctx.errorCapturingMultiUnitsInterval();
  const range = ctx.errorCapturingUnitToUnitInterval();
  if (multi) {
    const units = multi.multiUnitsInterval().timeIntervalUnit();
    if (units.length !== 1 || multi.unitToUnitInterval()) throw text.unsupported('an INTERVAL with several units', ctx, "write one unit: INTERVAL '90' SECOND");
    return toMillis(text, numberOf(text, multi.multiUnitsInterval().intervalValue(0)!), units[0], ctx);
  }
  if (range?._body && !range._error1 && !range._error2) {
    const body = range._body;
    const from = DAY_TIME_FIELDS.indexOf(unitName(body._from_!.getText()));
    const to = DAY_TIME_FIELDS.indexOf(unitName(body._to!.getText()));
    if (from < 0 || to <= from) throw text.unsupported(`INTERVAL ... ${text.source(body._from_)} TO ${text.source(body._to)}`, ctx, 'day-time ranges: DAY TO HOUR ... MINUTE TO SECOND');
    const raw = stringValue(body._value!.getText()).trim();
    const parts = raw.split(/[\s:]+/);
    if (parts.length !== to - from + 1 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) {
      throw text.error(`INTERVAL '${raw}' does not match ${DAY_TIME_FIELDS.slice(from, to + 1).join(':')}`, body._value);
    }
    return parts.reduce((ms, p, i) => ms + Number(p) * unitMillis(DAY_TIME_FIELDS[from + i])!, 0);
  }
  throw text.error('an INTERVAL needs a value and a unit', ctx, "INTERVAL '5' SECOND");
}

function numberOf(text: SqlText, v: IntervalValueContext): number {
  const raw = v.STRING_LITERAL() ? stringValue(v.getText()).trim() : v.getText();
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n)) throw text.error(`'${raw}' is not a number of the interval's unit`, v);
  return n;
}

function toMillis(text: SqlText, value: number, unitCtx: TimeIntervalUnitContext, at: TimeIntervalExpressionContext): number {
  const unit = unitName(unitCtx.getText());
  const per = unitMillis(unit);
  if (per === undefined) {
    throw text.unsupported(`INTERVAL ... ${unit}`, unitCtx, isTimeUnit(unit)
      ? 'year-month intervals have no fixed length; use DAY, HOUR, MINUTE, SECOND or MILLISECOND'
      : 'units: DAY, HOUR, MINUTE, SECOND, MILLISECOND');
  }
  const ms = value * per;
  if (!Number.isInteger(Math.round(ms * 1e6) / 1e6)) throw text.error(`INTERVAL ${text.source(at).slice(8).trim()} is not a whole number of milliseconds`, at);
  return Math.round(ms);
}
