// GROUP BY GROUPING SETS / ROLLUP / CUBE, and GROUPING() / GROUPING_ID(), planned as Flink plans them (its Expand):
// every input row goes out once per grouping set, with the keys the set leaves out NULL and the set's number in a
// column `$e`; one aggregate then groups by every key and `$e`, so each set's groups stay apart (a NULL key of one
// set is not the rolled-up NULL of another), and GROUPING(k) reads the set from `$e`. The expand is a union of
// projections of the input, one per set, so it needs no operator of its own. The keys are copies (`$g0`, ...):
// aggregate arguments read the input's own columns, as Flink duplicates such fields, so COUNT(k) in a rolled-up
// row counts every k.
import type { ColumnNameContext, ExpressionContext, GroupItemDefinitionContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { DataTypes, withType } from '../../../runtime/core/data-types.js';
import type { SourceLoc } from '../../../runtime/core/plan.js';
import type { Table } from '../../api/table.js';
import { CompileError } from '../../ir/diagnostics.js';
import { exprKey, isAggregateName, type LExpr } from '../../ir/logical-expr.js';
import { Resolver } from '../resolve.js';
import type { SqlText } from './sql-text.js';

/** A GROUP BY key written in an item (its expression or column), as the index of the key among all keys. */
export type KeyIndex = (at: ExpressionContext | ColumnNameContext) => number;

/** A grouping set: the indices of the keys it groups by, ascending. */
export type GroupingSet = number[];

/**
 * The grouping sets of one GROUP BY item: `GROUPING SETS (...)` the sets of its items, `ROLLUP (a, b)` (a, b), (a), (),
 * `CUBE (a, b)` every subset, `(a, b)` one set, `()` the empty one, a plain key the set of itself.
 */
export function itemSets(text: SqlText, item: GroupItemDefinitionContext, key: KeyIndex): GroupingSet[] {
  if (item.groupingSets()) return item.groupItemDefinition().flatMap((inner) => itemSets(text, inner, key));
  if (item.groupWindowFunction()) throw text.unsupported('a group window inside GROUPING SETS, ROLLUP or CUBE', item, 'name the window as a GROUP BY item of its own: GROUP BY TUMBLE(ts, ...), ROLLUP (a, b)');
  const notation = item.groupingSetsNotationName();
  if (notation) {
    const keys = item.expression().map(key);
    if (notation.KW_ROLLUP()) return keys.map((_, i) => normalized(keys.slice(0, keys.length - i))).concat([[]]);
    // CUBE: every subset, the largest first (bit i of the mask leaves key i out).
    return Array.from({ length: 2 ** keys.length }, (_, mask) => normalized(keys.filter((_, i) => !(mask & (1 << (keys.length - 1 - i))))));
  }
  if (item.LR_BRACKET()) return [normalized(item.expression().map(key))];
  const column = item.columnName();
  return [[column ? key(column) : key(item.expression(0)!)]];
}

/** The sets of GROUP BY items written side by side: each combination of one set of every item. */
export function crossSets(a: GroupingSet[], b: GroupingSet[]): GroupingSet[] {
  return a.flatMap((x) => b.map((y) => normalized([...x, ...y])));
}

const normalized = (set: number[]): GroupingSet => [...new Set(set)].sort((x, y) => x - y);

/** Whether an expression calls GROUPING or GROUPING_ID (outside an aggregate's arguments). */
export function callsGrouping(e: LExpr): boolean {
  if (e.kind === 'alias' || e.kind === 'cast') return callsGrouping(e.expr);
  if (e.kind !== 'call') return false;
  return isGroupingFunction(e.fn) || (!isAggregateName(e.fn) && e.args.some(callsGrouping));
}

const isGroupingFunction = (fn: string) => /^(GROUPING|GROUPING_ID)$/i.test(fn);

export interface ExpandedGroups {
  /** The union of one projection of the input per set, with the key copies and `$e`. */
  table: Table;
  /** What the aggregate groups by: the key copies and `$e`. */
  keys: LExpr[];
  select: LExpr[];
  having: LExpr | undefined;
}

/**
 * The input expanded for `sets` of `keys`, and the select list and HAVING over it: a key outside an aggregate reads
 * its copy (NULL where the row's set leaves it out), GROUPING(k, ...) the bits of the keys the set leaves out.
 */
export function expandGroupingSets(table: Table, keys: LExpr[], sets: GroupingSet[], select: LExpr[], having: LExpr | undefined, loc: SourceLoc | undefined): ExpandedGroups {
  const resolver = new Resolver(table.getSchema(), table.env.functions);
  const types = keys.map((k) => withType(resolver.resolve(k).type, { nullable: true, timeAttribute: undefined }));
  const copy = (i: number) => `$g${i}`;
  const branches = sets.map((set, j) => table.project([
    { kind: 'star', loc },
    ...keys.map((k, i): LExpr => ({
      kind: 'alias', name: copy(i), loc,
      expr: set.includes(i) ? { kind: 'cast', expr: k, type: types[i], loc } : { kind: 'lit', value: null, type: types[i], loc },
    })),
    { kind: 'alias', name: '$e', expr: { kind: 'lit', value: j, type: DataTypes.INT().notNull!(), loc }, loc },
  ], loc));
  const expanded = branches.slice(1).reduce((all, b) => all.unionAll(b, loc), branches[0]);

  const index = new Map(keys.map((k, i) => [exprKey(k), i]));
  const grouping = (e: Extract<LExpr, { kind: 'call' }>): LExpr => {
    const name = e.fn.toUpperCase();
    if (!e.args.length) throw new CompileError(`${name} needs at least one argument`, e.loc, `${name}(k) of a GROUP BY key k`);
    const at = e.args.map((a) => {
      const i = index.get(exprKey(a));
      if (i === undefined) throw new CompileError(`the argument of ${name} must be a GROUP BY expression: ${exprKey(a)} is not one`, a.loc ?? e.loc, `group by it, or pass one of: ${keys.map(exprKey).join(', ')}`);
      return i;
    });
    // Bit 1 for a key the set leaves out; the first argument is the most significant bit, as in Flink.
    const value = (set: GroupingSet) => at.reduce((v, i) => v * 2 + (set.includes(i) ? 0 : 1), 0);
    const lit = (v: number): LExpr => ({ kind: 'lit', value: v, type: DataTypes.BIGINT().notNull!(), loc: e.loc });
    const values = sets.map(value);
    if (values.every((v) => v === values[0])) return lit(values[0]);
    const branchesOf = values.slice(0, -1).flatMap((v, j): LExpr[] => [
      { kind: 'call', fn: 'eq', args: [{ kind: 'ref', name: '$e', loc: e.loc }, { kind: 'lit', value: j, loc: e.loc }], loc: e.loc }, lit(v)]);
    return { kind: 'call', fn: 'case', args: [...branchesOf, lit(values[values.length - 1])], loc: e.loc };
  };
  const rewrite = (e: LExpr): LExpr => {
    if (e.kind === 'alias') return { ...e, expr: rewrite(e.expr) };
    const i = index.get(exprKey(e));
    if (i !== undefined && e.kind !== 'lit') return { kind: 'ref', name: copy(i), loc: e.loc };
    if (e.kind === 'call') {
      if (isGroupingFunction(e.fn)) return grouping(e);
      return isAggregateName(e.fn) ? e : { ...e, args: e.args.map(rewrite) };
    }
    if (e.kind === 'cast') return { ...e, expr: rewrite(e.expr) };
    return e;
  };
  // A key selected as it is keeps its name (`SELECT b` is a column b, not $g0).
  const items = select.map((e): LExpr => {
    const r = rewrite(e);
    return e.kind === 'ref' && r !== e ? { kind: 'alias', expr: r, name: e.name, loc: e.loc } : r;
  });
  return {
    table: expanded,
    keys: [...keys.map((_, i): LExpr => ({ kind: 'ref', name: copy(i), loc })), { kind: 'ref', name: '$e', loc }],
    select: items,
    having: having && rewrite(having),
  };
}
