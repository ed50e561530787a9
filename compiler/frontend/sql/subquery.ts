// Subqueries in a WHERE condition, as Flink's planner rewrites them: each AND-ed term `x [NOT] IN (SELECT y ...)` or
// `[NOT] EXISTS (SELECT ...)` becomes a semi (anti) join of the rows so far with the subquery's rows (plan node
// `join`, type semi / anti), then the outer query goes on with its own columns. A subquery that reads the outer
// query's columns (correlated) must be a plain SELECT ... FROM ... [WHERE ...]: its WHERE becomes the join's
// condition, whose terms over the subquery alone passes/split-join-conditions.ts pushes into the subquery's side.
// NOT IN is null-aware, as SQL's: x NOT IN (...) is unknown, so the row is dropped, when x or any y is NULL (and
// the subquery has rows); the anti join's condition is `x = y OR x IS NULL OR y IS NULL`, as Flink's.
// Subqueries read as values (scalar ones, IN / EXISTS inside an expression) are columns joined to the rows
// (subquery-columns.ts).
import {
  ExistsContext, LogicalBinaryContext, LogicalNotContext, ParenthesizedExpressionContext, PredicatedContext, QueryStatementContext,
  ValueExpressionDefaultContext,
  type BooleanExpressionContext, type ExpressionContext, type ValueExpressionContext,
} from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import type { ParseTree } from 'antlr4ng';
import type { Field } from '../../../runtime/core/data-types.js';
import type { WindowProperty } from '../../../runtime/core/plan.js';
import type { Table } from '../../api/table.js';
import type { LExpr } from '../../ir/logical-expr.js';
import { rightOutputNames } from '../lower-join.js';
import { ExprConverter, type ExprScope } from './expression.js';
import type { SqlNode, SqlText } from './sql-text.js';

/** One AND-ed subquery term of a WHERE condition. */
export interface SubqueryTerm {
  kind: 'in' | 'exists';
  not: boolean;
  /** IN: the value looked for. */
  value?: ValueExpressionContext;
  query: QueryStatementContext;
  at: SqlNode;
}

/** A scope that can tell whether a column name is one of its own. */
export interface NamedScope extends ExprScope {
  knows(parts: string[]): boolean;
}

/** A subquery written as a plain SELECT ... FROM ... [WHERE ...] (no aggregate, GROUP BY, DISTINCT, ...): its parts. */
export interface PlainSelect {
  /** The FROM table, before the WHERE. */
  table: Table;
  scope: NamedScope;
  where: BooleanExpressionContext | null;
  /** The select list's expressions; null for a `*`. */
  items: (ExpressionContext | null)[];
  /** Whether the select list aggregates (then the query is one row, there being no GROUP BY). */
  aggregating: boolean;
}

/** What lowering a subquery needs from the query it is in (query.ts; passed in, so imports go one way). */
export interface SubqueryEnv {
  text: SqlText;
  /** The outer query's FROM columns. */
  outer: NamedScope;
  /** A query lowered on its own (a subquery that does not read the outer query's columns). */
  query(ctx: QueryStatementContext): Table;
  /** The parts of a plain subquery (not aggregating), or undefined for any other. */
  plainSelect(ctx: QueryStatementContext): PlainSelect | undefined;
  /** The parts of a plain subquery or of one that aggregates without GROUP BY, or undefined for any other. */
  selectParts(ctx: QueryStatementContext): PlainSelect | undefined;
}

/** The AND-ed terms of a condition: the subquery terms apart from the others. */
export function subqueryTerms(cond: BooleanExpressionContext): { plain: BooleanExpressionContext[]; subqueries: SubqueryTerm[] } {
  const plain: BooleanExpressionContext[] = [];
  const subqueries: SubqueryTerm[] = [];
  const visit = (c: BooleanExpressionContext) => {
    if (c instanceof LogicalBinaryContext && c.KW_AND()) { visit(c._left!); visit(c._right!); return; }
    const inner = parenthesized(c);
    if (inner && hasSubquery(inner)) { visit(inner); return; }
    const term = subqueryTerm(c);
    if (term) subqueries.push(term);
    else plain.push(c);
  };
  visit(cond);
  return { plain, subqueries };
}

/** The AND-ed terms of a condition, through parentheses. */
export function conjuncts(cond: BooleanExpressionContext): BooleanExpressionContext[] {
  if (cond instanceof LogicalBinaryContext && cond.KW_AND()) return [...conjuncts(cond._left!), ...conjuncts(cond._right!)];
  const inner = parenthesized(cond);
  return inner ? conjuncts(inner) : [cond];
}

function subqueryTerm(c: BooleanExpressionContext, not = false): SubqueryTerm | undefined {
  const inner = parenthesized(c);
  if (inner) return subqueryTerm(inner, not);
  if (c instanceof LogicalNotContext) return subqueryTerm(c.booleanExpression(), !not);
  if (c instanceof ExistsContext) return { kind: 'exists', not, query: c.queryStatement(), at: c };
  if (c instanceof PredicatedContext) {
    const p = c.predicate();
    const query = p?.queryStatement();
    if (p && query && p.KW_IN()) return { kind: 'in', not: not !== !!p.KW_NOT(), value: c.valueExpression(), query, at: p.KW_IN() };
  }
  return undefined;
}

/** The condition inside `(condition)`, or undefined. */
function parenthesized(c: BooleanExpressionContext): BooleanExpressionContext | undefined {
  if (!(c instanceof PredicatedContext) || c.predicate()) return undefined;
  const v = c.valueExpression();
  const p = v instanceof ValueExpressionDefaultContext ? v.primaryExpression() : undefined;
  return p instanceof ParenthesizedExpressionContext ? p.expression().booleanExpression() : undefined;
}

/** Whether a parse tree holds a query (a subquery). */
export function hasSubquery(tree: ParseTree): boolean {
  if (tree instanceof QueryStatementContext) return true;
  for (let i = 0; i < tree.getChildCount(); i++) if (hasSubquery(tree.getChild(i)!)) return true;
  return false;
}

/** `table` restricted by a subquery term: a semi (anti) join with the subquery's rows, keeping `table`'s columns. */
export function joinSubquery(env: SubqueryEnv, table: Table, term: SubqueryTerm): Table {
  const { text } = env;
  const loc = text.loc(term.at);
  const ref = (name: string): LExpr => ({ kind: 'ref', name, loc });
  const call = (fn: string, ...args: LExpr[]): LExpr => ({ kind: 'call', fn, args, loc });
  const columns = table.getSchema().map((f) => f.name);
  let left = table;
  let value: LExpr | undefined;
  if (term.value) {
    // A value that is no column is computed first, so that the join can key on it.
    value = new ExprConverter(text, env.outer).valueExpression(term.value);
    if (value.kind !== 'ref') {
      left = left.project([{ kind: 'star', loc }, { kind: 'alias', name: '$in', expr: value, loc }], loc);
      value = ref('$in');
    }
  }
  const plain = env.plainSelect(term.query);
  let right: Table;
  let found: string | undefined;
  let where: BooleanExpressionContext | null = null;
  let innerScope: NamedScope | undefined;
  if (plain) {
    right = plain.table;
    innerScope = plain.scope;
    where = plain.where;
    if (term.kind === 'in') {
      const item = plain.items.length === 1 ? plain.items[0] : null;
      if (!item) throw oneColumn(text, term, plain.items.length === 1 ? 'every column (*)' : `${plain.items.length} columns`);
      const y = new ExprConverter(text, plain.scope).expression(item);
      if (y.kind === 'ref') found = y.name;
      else {
        right = right.project([{ kind: 'star', loc }, { kind: 'alias', name: '$sq', expr: y, loc }], loc);
        found = '$sq';
      }
    }
  } else {
    right = env.query(term.query);
    if (term.kind === 'in') {
      if (right.getSchema().length !== 1) throw oneColumn(text, term, `${right.getSchema().length} columns`);
      found = right.getSchema()[0].name;
    }
  }
  const schema = right.getSchema();
  const names = rightOutputNames(left.getSchema(), schema);
  const joinedName = new Map(schema.map((f, i) => [f.name, names[i]]));
  const terms: LExpr[] = [];
  if (value && found !== undefined) {
    const y = ref(joinedName.get(found)!);
    const eq = call('eq', value, y);
    // Only a side that may be NULL needs its IS NULL term (without any, the equality keys the join).
    const nullable = (e: LExpr, fields: readonly Field[], name: string) => (fields.find((f) => f.name === name)?.type.nullable ?? true) ? [call('isNull', e)] : [];
    const unknown = term.not ? [...nullable(value, left.getSchema(), (value as { name: string }).name), ...nullable(y, schema, found)] : [];
    terms.push(unknown.reduce((a, b) => call('or', a, b), eq));
  }
  if (where && innerScope) terms.push(new ExprConverter(text, new CorrelatedScope(innerScope, env.outer, joinedName)).condition(where));
  const condition = terms.length ? terms.reduce((a, b) => call('and', a, b)) : null;
  const joined = left.joinWith(term.not ? 'anti' : 'semi', right, condition, names, loc);
  return joined.project(columns.map(ref), loc);
}

/** The error for an IN subquery that does not select one column. */
function oneColumn(text: SqlText, term: SubqueryTerm, what: string) {
  return text.error(`the subquery of IN selects ${what}; it must select one column`, term.query, 'x IN (SELECT y FROM ...)');
}

/**
 * Names inside a correlated subquery's WHERE: the subquery's own columns first (by their names in the joined row),
 * then the outer query's, as SQL scopes them.
 */
class CorrelatedScope implements ExprScope {
  constructor(private readonly inner: NamedScope, private readonly outer: NamedScope, private readonly joinedName: ReadonlyMap<string, string>) {}

  column(parts: string[], node: SqlNode): LExpr {
    if (!this.inner.knows(parts) && this.outer.knows(parts)) return this.outer.column(parts, node);
    return renamed(this.inner.column(parts, node), this.joinedName);
  }

  windowAuxiliary(fn: string, property: WindowProperty, args: LExpr[], node: SqlNode): LExpr {
    return this.inner.windowAuxiliary(fn, property, args, node);
  }
}

/** The expression with its column references renamed. */
export function renamed(e: LExpr, names: ReadonlyMap<string, string>): LExpr {
  switch (e.kind) {
    case 'ref': return { ...e, name: names.get(e.name) ?? e.name };
    case 'call': return { ...e, args: e.args.map((a) => renamed(a, names)), ...(e.filter ? { filter: renamed(e.filter, names) } : {}) };
    case 'cast': case 'alias': return { ...e, expr: renamed(e.expr, names) };
    default: return e;
  }
}
