// ORDER BY and LIMIT of a query, lowered into a `sort` node (runtime/core/plan.ts) whose `streaming` field
// says how a stream runs it, as Flink's streaming planner decides: ORDER BY an ascending time attribute
// (then anything) is a temporal sort, ORDER BY ... LIMIT a Top-N, LIMIT alone the first rows; any other
// ORDER BY only a batch can run (compiler/passes/validate-changelog.ts refuses it for a stream). ORDER BY
// items are output columns, ordinals (ORDER BY 2), or expressions over the FROM table, which the select
// computes as hidden columns that a calc after the sort drops again (Calcite does the same).
import type { LimitClauseContext, OrderByClauseContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import type { SortKey, SortNode, SortStreaming } from '../../../runtime/core/plan.js';
import { sortChangelog } from '../../../runtime/exec/sort/sort-processor.js';
import { Table, type TableContext } from '../../api/table.js';
import type { LExpr } from '../../ir/logical-expr.js';
import type { ExprConverter, ExprScope } from './expression.js';
import { pathOf } from './names.js';
import type { SqlNode, SqlText } from './sql-text.js';

/** ORDER BY items the select computes for the sort only. */
export type HiddenSortItems = { at: SqlNode; value: (exprs: ExprConverter, scope: ExprScope) => LExpr }[];

export const hiddenSortColumn = (i: number) => `$sort${i}`;

/**
 * `lower(hidden)` lowers the query's body with those extra columns; `bodyOnly`: the body is a parenthesized
 * query, which can add none (its ORDER BY items must be output columns).
 */
export function lowerSorted(q: { env: TableContext; text: SqlText }, order: OrderByClauseContext | null, limit: LimitClauseContext | null,
  lower: (hidden: HiddenSortItems) => Table, bodyOnly: boolean): Table {
  const { text } = q;
  const fetch = limitCount(text, limit);
  const plain = lower([]);
  const names = plain.getSchema().map((f) => f.name);
  const hidden: HiddenSortItems = [];
  const orderBy = (order?.orderItemDefinition() ?? []).map((o): SortKey => {
    const desc = !!o.KW_DESC();
    // Flink's default: NULLs are the smallest values (first ascending, last descending).
    const nullsFirst = o.KW_NULLS() ? !!o.KW_FIRST() : !desc;
    const c = o.columnName();
    const v = o.valueExpression();
    const item = (c ?? v)!;
    const ordinal = /^\d+$/.test(item.getText()) ? Number(item.getText()) : null;
    if (ordinal !== null) {
      if (ordinal < 1 || ordinal > names.length) throw text.error(`ORDER BY ${ordinal}: the select list has ${names.length} column(s)`, item);
      return { column: names[ordinal - 1], desc, nullsFirst };
    }
    const parts = c ? pathOf(c) : [];
    if (parts.length === 1 && names.includes(parts[0])) return { column: parts[0], desc, nullsFirst };
    if (bodyOnly) throw text.error(`ORDER BY ${text.source(item)} is not a column of the query`, item, `columns: ${names.join(', ')}`);
    hidden.push({ at: item, value: (exprs, scope) => (c ? scope.column(parts, c) : exprs.valueExpression(v!)) });
    return { column: hiddenSortColumn(hidden.length - 1), desc, nullsFirst };
  });
  if (orderBy.length === 0 && fetch === null) return plain; // LIMIT ALL
  const table = hidden.length ? lower(hidden) : plain;
  const input = table.node;
  const time = orderBy.length && !orderBy[0].desc ? input.schema.find((f) => f.name === orderBy[0].column)?.type.timeAttribute : undefined;
  const streaming: SortStreaming | null = fetch !== null ? (orderBy.length ? 'top-n' : 'limit') : time ?? null;
  const shape = { input: input.id, orderBy, offset: 0, fetch, streaming, schema: input.schema };
  const sorted = q.env.plan.add<SortNode>({ kind: 'sort', ...shape, ...sortChangelog(shape, input), loc: text.loc((order ?? limit)!) });
  const out = new Table(q.env, sorted);
  return hidden.length ? out.project(names.map((name): LExpr => ({ kind: 'ref', name })), text.loc(order!)) : out;
}

/** LIMIT n: a non-negative integer; LIMIT ALL and no LIMIT: null. */
function limitCount(text: SqlText, limit: LimitClauseContext | null): number | null {
  if (!limit || limit.KW_ALL()) return null;
  const e = limit.expression()!;
  if (!/^\d+$/.test(e.getText())) throw text.error(`LIMIT ${e.getText()}: expected a non-negative integer`, e);
  return Number(e.getText());
}
