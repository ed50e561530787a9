// ORDER BY and LIMIT / OFFSET / FETCH of a query, lowered into a `sort` node (../lower-sort.ts). ORDER BY
// items are output columns, ordinals (ORDER BY 2), or expressions over the FROM table, which the select
// computes as hidden columns that a calc after the sort drops again (Calcite does the same).
import type { LimitClauseContext, OrderByClauseContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import type { SortKey } from '../../../runtime/core/plan.js';
import { Table, type TableContext } from '../../api/table.js';
import type { LExpr } from '../../ir/logical-expr.js';
import { lowerSort } from '../lower-sort.js';
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
  const { offset, fetch } = rowLimit(text, limit);
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
  if (orderBy.length === 0 && fetch === null && offset === 0) return plain; // LIMIT ALL
  const table = hidden.length ? lower(hidden) : plain;
  const out = new Table(q.env, lowerSort(q.env.plan, table.node, orderBy, offset, fetch, text.loc((order ?? limit)!)));
  return hidden.length ? out.project(names.map((name): LExpr => ({ kind: 'ref', name })), text.loc(order!)) : out;
}

/** LIMIT n [OFFSET m], OFFSET m ROWS, FETCH FIRST n ROWS ONLY, or OFFSET then FETCH, as written (parse-sql.ts makes every form a LIMIT clause). */
const ROW_LIMIT = /^(?:LIMIT\s+(ALL|[\s\S]+?)(?:\s+OFFSET\s+(\d+)(?:\s+ROWS?)?)?|(?:OFFSET\s+(\d+)(?:\s+ROWS?)?)?\s*(?:FETCH\s+(?:FIRST|NEXT)\s+(\d+)\s+ROWS?\s+ONLY)?)$/i;

/** The rows skipped and the rows kept at most (null: all); no clause, LIMIT ALL: 0 and null. */
function rowLimit(text: SqlText, limit: LimitClauseContext | null): { offset: number; fetch: number | null } {
  if (!limit) return { offset: 0, fetch: null };
  const written = text.source(limit).replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim();
  const m = ROW_LIMIT.exec(written);
  if (!m) throw text.error(`${written}: expected LIMIT n [OFFSET m], OFFSET m ROWS or FETCH FIRST n ROWS ONLY`, limit);
  const [, limitCount, limitOffset, offset, fetchCount] = m;
  if (limitCount !== undefined) {
    if (limitCount.toUpperCase() !== 'ALL' && !/^\d+$/.test(limitCount)) throw text.error(`LIMIT ${limitCount}: expected a non-negative integer`, limit.expression() ?? limit);
    return { offset: Number(limitOffset ?? 0), fetch: limitCount.toUpperCase() === 'ALL' ? null : Number(limitCount) };
  }
  return { offset: Number(offset ?? 0), fetch: fetchCount === undefined ? null : Number(fetchCount) };
}
