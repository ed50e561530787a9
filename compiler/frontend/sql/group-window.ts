// Group windows written in SQL, as the Table API's GroupWindow: `GROUP BY TUMBLE(ts, INTERVAL ...)` / HOP / SESSION,
// and the window table functions `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL ...))` / HOP / CUMULATE.
import type { WindowTVFClauseContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { GroupWindow, type GroupWindowDef } from '../../api/windows.js';
import type { SourceLoc } from '../../../runtime/core/plan.js';
import { CompileError } from '../../ir/diagnostics.js';
import { exprKey, type LExpr } from '../../ir/logical-expr.js';
import { intervalMillis } from './interval.js';
import { pathOf } from './names.js';
import type { SqlNode, SqlText } from './sql-text.js';

/** A window of a SQL query, with what the query may say about it. */
export interface SqlWindow {
  window: GroupWindow;
  /** TUMBLE, HOP or SESSION for a GROUP BY window, whose auxiliary functions (TUMBLE_START...) repeat its arguments. */
  groupFunction: string | null;
  args: LExpr[];
}

type IntervalParam = 'size' | 'slide' | 'gap';

/** The intervals each window takes after its time attribute, in Flink's argument order. */
const SHAPES: Record<string, { type: GroupWindowDef['type']; params: IntervalParam[]; names: string[] }> = {
  TUMBLE: { type: 'tumble', params: ['size'], names: ['SIZE'] },
  HOP: { type: 'slide', params: ['slide', 'size'], names: ['SLIDE', 'SIZE'] },
  SESSION: { type: 'session', params: ['gap'], names: ['GAP'] },
  CUMULATE: { type: 'cumulate', params: ['slide', 'size'], names: ['STEP', 'SIZE'] },
};

export const isGroupWindowFunction = (name: string) => name.toUpperCase() in SHAPES && name.toUpperCase() !== 'CUMULATE';

/** GROUP BY TUMBLE(ts, size) / HOP(ts, slide, size) / SESSION(ts, gap). */
export function groupWindow(text: SqlText, fn: string, args: LExpr[], at: SqlNode): SqlWindow {
  const shape = SHAPES[fn];
  const usage = `${fn}(time_attr, ${shape.params.join(', ')})`;
  if (args.length !== shape.params.length + 1) {
    if (args.length > shape.params.length + 1) throw text.unsupported(`the window offset of ${fn}`, at);
    throw text.error(`${fn} takes ${shape.params.length + 1} arguments: ${usage}`, at);
  }
  const alias = text.source(at).replace(/\s+/g, ' ');
  return { window: makeWindow(fn, args[0], args.slice(1), alias, text.loc(at)), groupFunction: fn, args };
}

/** FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size)), positional or named (DATA => ..., SIZE => ...). */
export function windowTableFunction(text: SqlText, clause: WindowTVFClauseContext): { table: string[]; tableAt: SqlNode; window: SqlWindow } {
  const call = clause.windowTVFExpression();
  const fn = call.windowTVFName().getText().toUpperCase();
  const shape = SHAPES[fn];
  const order = ['DATA', 'TIMECOL', ...shape.names];
  const given = new Map<string, (typeof params)[number]>();
  const params = call.windowTVFParam();
  params.forEach((p, i) => {
    const named = p.DOUBLE_RIGHT_ARROW() ? (p.KW_DATA() ? 'DATA' : p.KW_TIMECOL() ? 'TIMECOL' : p.timeIntervalParamName()!.getText().toUpperCase()) : order[i];
    if (named === 'OFFSET' || named === undefined) throw text.unsupported(`the window offset of ${fn}`, p);
    if (!order.includes(named)) throw text.error(`${fn} has no parameter ${named}`, p, `parameters: ${order.join(', ')}`);
    given.set(named, p);
  });
  const missing = order.filter((n) => !given.has(n));
  if (missing.length) throw text.error(`${fn} needs ${missing.join(', ')}`, call, `${fn}(TABLE t, DESCRIPTOR(ts), ${shape.names.map((n) => `${n.toLowerCase()} INTERVAL`).join(', ')})`);
  const data = given.get('DATA')!.timeAttrColumn();
  const descriptor = given.get('TIMECOL')!.columnDescriptor();
  if (!data || !descriptor) throw text.error(`${fn} takes TABLE t and DESCRIPTOR(column) first`, call);
  const on: LExpr = { kind: 'ref', name: pathOf(descriptor.columnName()).join('.'), loc: text.loc(descriptor.columnName()) };
  const intervals = shape.names.map((n): LExpr => {
    const p = given.get(n)!;
    const interval = p.timeIntervalExpression();
    if (!interval) throw text.error(`${fn}: ${n} must be an INTERVAL`, p);
    return { kind: 'interval', millis: intervalMillis(text, interval), loc: text.loc(interval) };
  });
  const alias = text.source(clause).replace(/\s+/g, ' ');
  return { table: pathOf(data), tableAt: data, window: { window: makeWindow(fn, on, intervals, alias, text.loc(call)), groupFunction: null, args: [on, ...intervals] } };
}

function makeWindow(fn: string, on: LExpr, intervals: LExpr[], alias: string, loc: SourceLoc | undefined): GroupWindow {
  const shape = SHAPES[fn];
  const def: GroupWindowDef = { type: shape.type, on, alias, loc };
  shape.params.forEach((param, i) => {
    const e = intervals[i];
    if (e.kind !== 'interval') throw new CompileError(`${fn}: the ${param} must be an INTERVAL literal`, e.loc ?? loc, "INTERVAL '10' MINUTE");
    def[param] = e;
  });
  return new GroupWindow(def);
}

/** The auxiliary function TUMBLE_START(ts, INTERVAL ...) as a window property, when it repeats the GROUP BY window. */
export function windowAuxiliary(text: SqlText, w: SqlWindow | undefined, fn: string, args: LExpr[], at: SqlNode): GroupWindow {
  const prefix = fn.slice(0, fn.indexOf('_'));
  if (!w || !w.groupFunction) {
    throw text.error(`${fn}(...) needs GROUP BY ${prefix}(...)`, at,
      w ? 'with a window table function, select window_start, window_end and window_time' : `GROUP BY ${prefix}(ts, INTERVAL '10' MINUTE), ...`);
  }
  if (prefix !== w.groupFunction || args.map(exprKey).join() !== w.args.map(exprKey).join()) {
    throw text.error(`${fn}(...) does not match the window GROUP BY ${w.window.def.alias}`, at,
      `write ${w.groupFunction}_${fn.slice(fn.indexOf('_') + 1)} with the same arguments as in GROUP BY`);
  }
  return w.window;
}
