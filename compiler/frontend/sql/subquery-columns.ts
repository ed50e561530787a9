// Subqueries whose value an expression reads: a scalar subquery `(SELECT MAX(x) FROM r ...)`, and `x [NOT] IN
// (SELECT y ...)` or `[NOT] EXISTS (SELECT ...)` anywhere but as an AND-ed WHERE term (those are semi / anti joins,
// subquery.ts). Each becomes a column of the rows before anything reads them, by left joins with the subquery's
// rows aggregated per correlation key, as Calcite's SubQueryRemoveRule and RelDecorrelator rewrite them for Flink:
// - scalar: the aggregate per key, left-joined on the key; where no row matches, the aggregate's value over no rows
//   (COUNT 0, the others NULL). A subquery that may have more rows than one (no aggregate, a GROUP BY) gets
//   Flink's SINGLE_VALUE: its one row's value, and a failed job at a second row (per key).
// - EXISTS: COUNT(*) per key, left-joined: TRUE where it is above 0.
// - IN: the distinct (key, y) left-joined on the key and x = y; where x or y may be NULL also c = COUNT(*) and
//   cy = COUNT(y) per key (uncorrelated: inner-joined, one row; correlated: left-joined on the key): FALSE where c is
//   0, TRUE where a y matched, NULL where x is NULL, NULL where cy < c (a NULL y), else FALSE. SQL's three-valued IN
//   as Calcite's SubQueryRemoveRule.rewriteIn computes it, corners included (NOT IN is its negation).
// A correlated subquery is a SELECT ... FROM ... [WHERE ...] whose WHERE reads the outer query's columns: AND-ed
// equalities `inner = outer` are the keys; any other correlated condition makes the distinct outer values the keys
// (Calcite's value generator, inner-joined with the rows on those conditions); the rest of its WHERE filters its rows.
import { ComparisonContext, ExistsContext, PredicatedContext, QueryStatementContext, SubqueryExpressionContext, type BooleanExpressionContext, type ValueExpressionContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import type { ParseTree } from 'antlr4ng';
import { DataTypes } from '../../../runtime/core/data-types.js';
import type { SourceLoc, WindowProperty } from '../../../runtime/core/plan.js';
import { GroupedTable, type Table } from '../../api/table.js';
import { exprKey, hasAggregate, type LExpr } from '../../ir/logical-expr.js';
import { rightOutputNames } from '../lower-join.js';
import { ExprConverter, type ExprScope } from './expression.js';
import { conjuncts, renamed, type NamedScope, type PlainSelect, type SubqueryEnv } from './subquery.js';
import type { SqlNode } from './sql-text.js';

/** What correlation sluice decorrelates, for the errors about what it does not. */
export const CORRELATION_SUPPORTED = 'a subquery may read the outer query\'s columns (plain columns) in the conditions of its WHERE, (SELECT MAX(x) FROM r WHERE r.k = t.k AND r.w < t.v), when it is a SELECT ... FROM ... [WHERE ...] without GROUP BY, DISTINCT or set operations; not in its select list, nor in a subquery of it';

/** A subquery an expression reads the value of. */
export interface NestedSubquery {
  kind: 'scalar' | 'in' | 'exists';
  query: QueryStatementContext;
  /** IN: the value looked for. */
  value?: ValueExpressionContext;
  at: SqlNode;
}

/** A subquery joined as a column: its name, and the outer query's expressions it reads (a GROUP BY key when they all are). */
export interface SubqueryColumn {
  name: string;
  reads: LExpr[];
}

/** The subqueries written in a query's own clauses (not those inside its subqueries), by where they start. */
export function nestedSubqueries(trees: (ParseTree | null | undefined)[]): NestedSubquery[] {
  const found: NestedSubquery[] = [];
  const visit = (t: ParseTree) => {
    if (t instanceof QueryStatementContext) return;
    if (t instanceof SubqueryExpressionContext) { found.push({ kind: 'scalar', query: t.queryStatement(), at: t }); return; }
    if (t instanceof ExistsContext) { found.push({ kind: 'exists', query: t.queryStatement(), at: t }); return; }
    if (t instanceof PredicatedContext) {
      const p = t.predicate();
      const query = p?.queryStatement();
      if (p && query && p.KW_IN()) {
        visit(t.valueExpression());
        found.push({ kind: 'in', query, value: t.valueExpression(), at: p.KW_IN() });
        return;
      }
    }
    for (let i = 0; i < t.getChildCount(); i++) visit(t.getChild(i)!);
  };
  for (const t of trees) if (t) visit(t);
  return found;
}

/** The key a subquery's column is found by (parse-sql re-parses select items into other contexts, at the same positions). */
export const subqueryKey = (query: QueryStatementContext) => query.start!.start;

/**
 * `table` with a column per subquery (`$scalar0`, `$mark1`, ...), in order; `names` gets each one's column by
 * subqueryKey. Each join keeps `table`'s columns and adds the one column.
 */
export function joinSubqueryColumns(env: SubqueryEnv, table: Table, uses: NestedSubquery[], names: Map<number, string>): { table: Table; columns: SubqueryColumn[] } {
  const columns: SubqueryColumn[] = [];
  uses.forEach((use, i) => {
    const name = `${use.kind === 'scalar' ? '$scalar' : '$mark'}${i}`;
    const joined = use.kind === 'scalar' ? scalarColumn(env, table, use, name) : markColumn(env, table, use, name);
    table = joined.table;
    columns.push({ name, reads: joined.reads });
    names.set(subqueryKey(use.query), name);
  });
  return { table, columns };
}

/** A correlation key: the subquery's side and the outer query's side of an equality of its WHERE. */
interface Key { inner: LExpr; outer: LExpr }

/** A correlated subquery: its rows (its WHERE's other terms applied), its parts and its keys. */
interface Correlated { rows: Table; parts: PlainSelect; keys: Key[] }

/**
 * The subquery's rows and keys when its WHERE reads the outer query's columns (of `outer`'s rows); undefined when it
 * reads none. AND-ed equalities `inner = outer` are the keys. Any other correlated condition (`r.w < t.i`) makes it
 * Calcite's value generator: the distinct outer values it reads ($o0, ...) inner-joined with the subquery's rows on
 * every correlated condition, then those values are the keys.
 */
function correlated(env: SubqueryEnv, query: QueryStatementContext, outer: Table): Correlated | undefined {
  const { text } = env;
  const parts = env.selectParts(query);
  if (!parts?.where) return undefined;
  const filters: LExpr[] = [];
  const keys: Key[] = [];
  const general: BooleanExpressionContext[] = [];
  /** The conditions that read the outer query: keys and general ones. */
  const correlatedConditions: BooleanExpressionContext[] = [];
  const sided = (convert: (x: ExprConverter) => LExpr) => {
    const scope = new SideScope(parts.scope, env.outer);
    return { expr: convert(new ExprConverter(text, scope)), inner: scope.inner, outer: scope.outer };
  };
  const conditions = conjuncts(parts.where);
  for (const c of conditions) {
    const whole = sided((x) => x.condition(c));
    if (!whole.outer) { filters.push(whole.expr); continue; }
    correlatedConditions.push(c);
    const v = c instanceof PredicatedContext && !c.predicate() ? c.valueExpression() : undefined;
    const eq = v instanceof ComparisonContext && v.comparisonOperator().getText() === '=' ? v : undefined;
    const [l, r] = eq ? [sided((x) => x.valueExpression(eq._left!)), sided((x) => x.valueExpression(eq._right!))] : [];
    const only = (s: typeof l, side: 'inner' | 'outer') => !!s && s[side] && !s[side === 'inner' ? 'outer' : 'inner'];
    if (only(l, 'inner') && only(r, 'outer')) keys.push({ inner: l!.expr, outer: r!.expr });
    else if (only(r, 'inner') && only(l, 'outer')) keys.push({ inner: r!.expr, outer: l!.expr });
    else general.push(c);
  }
  if (!keys.length && !general.length) return undefined;
  const loc = text.loc(parts.where);
  const rows = filters.length ? parts.table.filterBy(all(filters, loc), loc) : parts.table;
  if (!general.length) return { rows, parts, keys };
  // The value generator: every correlated condition over the outer values as columns $o0, ... of their own.
  const values = new Map<string, string>();
  const scope = new SideScope(parts.scope, env.outer, (e, node) => {
    if (e.kind !== 'ref') throw text.unsupported('a correlated condition (beyond equalities) on an outer value that is no plain column', node, CORRELATION_SUPPORTED);
    if (!values.has(e.name)) values.set(e.name, `$o${values.size}`);
    return ref(values.get(e.name)!, loc);
  });
  const correlating = correlatedConditions.map((c) => new ExprConverter(text, scope).condition(c));
  const outerRefs = [...values].map(([name, o]): LExpr => ({ kind: 'alias', name: o, expr: ref(name, loc), loc }));
  const generated = outer.project(outerRefs, loc);
  const distinctValues = new GroupedTable(generated, [...values.values()].map((o) => ref(o, loc)), undefined, loc).aggregate([...values.values()].map((o) => ref(o, loc)), undefined, loc);
  const names = rightOutputNames(rows.getSchema(), distinctValues.getSchema());
  const joined = new Map(distinctValues.getSchema().map((f, i) => [f.name, names[i]]));
  const renamedConditions = correlating.map((e) => renamed(e, joined));
  return {
    rows: rows.joinWith('inner', distinctValues, all(renamedConditions, loc), names, loc),
    parts,
    keys: [...values].map(([name, o]) => ({ inner: ref(joined.get(o)!, loc), outer: ref(name, loc) })),
  };
}

/** A scalar subquery's column: per key when correlated, else its one row joined to every row. */
function scalarColumn(env: SubqueryEnv, table: Table, use: NestedSubquery, name: string): { table: Table; reads: LExpr[] } {
  const { text } = env;
  const loc = text.loc(use.at);
  const c = correlated(env, use.query, table);
  if (!c) {
    const sub = env.query(use.query);
    const schema = sub.getSchema();
    if (schema.length !== 1) throw text.error(`a scalar subquery selects one column, this one ${schema.length}`, use.at, '(SELECT MAX(x) FROM r)');
    const value = ref(schema[0].name, loc);
    // A query of more rows than one is checked per row: SINGLE_VALUE over all of them.
    const column = atMostOneRow(sub)
      ? sub.project([{ kind: 'alias', name, expr: value, loc }], loc)
      : new GroupedTable(sub, [], undefined, loc).aggregate([{ kind: 'alias', name, expr: singleValue(value, loc), loc }], undefined, loc);
    return { table: table.joinWith('left', column, null, [name], loc), reads: [] };
  }
  const item = c.parts.items.length === 1 ? c.parts.items[0] : null;
  if (!item) throw text.error(`a scalar subquery selects one column, this one ${c.parts.items.length === 1 ? 'every column (*)' : `${c.parts.items.length} columns`}`, use.at, '(SELECT MAX(x) FROM r WHERE r.k = t.k)');
  const written = new ExprConverter(text, c.parts.scope).expression(item);
  const value = c.parts.aggregating ? written : singleValue(written, loc);
  const outer = keyedOuter(table, c.keys, name, loc);
  const joined = joinPerKey(outer.table, c.rows, outer.keys, [], [{ kind: 'alias', name: '$v', expr: value, loc }], loc);
  // No row for the key: the aggregate's value over no rows, which is not NULL where a COUNT is in it.
  const empty = c.parts.aggregating ? overNoRows(value) : null;
  const v = ref(joined.name('$v'), loc);
  const result = !empty || (empty.kind === 'lit' && empty.value === null) ? v : call('case', loc, call('isNull', loc, ref(joined.name('$k0'), loc)), empty, v);
  return { table: keep(joined.table, table, name, result, loc), reads: c.keys.map((k) => k.outer) };
}

/** An IN or EXISTS subquery's truth value as a column (see the header for the rewrite). */
function markColumn(env: SubqueryEnv, table: Table, use: NestedSubquery, name: string): { table: Table; reads: LExpr[] } {
  const { text } = env;
  const loc = text.loc(use.at);
  const c = correlated(env, use.query, table);
  let rows: Table;
  let y: LExpr | undefined;
  if (c) {
    rows = c.rows;
    if (use.kind === 'in') {
      const item = c.parts.items.length === 1 ? c.parts.items[0] : null;
      if (!item) throw oneColumn(env, use, c.parts.items.length === 1 ? 'every column (*)' : `${c.parts.items.length} columns`);
      y = new ExprConverter(text, c.parts.scope).expression(item);
    }
    if (c.parts.aggregating) {
      throw text.unsupported(`a correlated ${use.kind === 'in' ? 'IN' : 'EXISTS'} subquery that aggregates, inside an expression`, use.at, CORRELATION_SUPPORTED);
    }
  } else {
    rows = env.query(use.query);
    const schema = rows.getSchema();
    if (use.kind === 'in') {
      if (schema.length !== 1) throw oneColumn(env, use, `${schema.length} columns`);
      y = ref(schema[0].name, loc);
    }
  }
  const keys = c?.keys ?? [];
  let x: LExpr | undefined;
  if (use.kind === 'in') {
    x = new ExprConverter(text, env.outer).valueExpression(use.value!);
    if (hasAggregate(x)) throw text.unsupported('IN (subquery) of an aggregate', use.value, 'aggregate in a subquery of the FROM first: SELECT ... FROM (SELECT k, SUM(v) AS s FROM r GROUP BY k) WHERE s IN (SELECT ...) OR ...');
  }
  const outer = keyedOuter(table, [...keys, ...(x ? [{ inner: y!, outer: x }] : [])], name, loc);
  const outerKeys = x ? outer.keys.slice(0, -1) : outer.keys;
  const reads = [...keys.map((k) => k.outer), ...(x ? [x] : [])];
  const withY = y ? rows.project([{ kind: 'star', loc }, { kind: 'alias', name: '$y', expr: y, loc }], loc) : rows;
  if (!x) {
    // EXISTS: a row per key (COUNT(*) > 0 while there is one), left-joined: never NULL.
    const counts = joinPerKey(outer.table, withY, outerKeys, [], [{ kind: 'alias', name: '$c', expr: call('count', loc), loc }], loc);
    const c0 = ref(counts.name('$c'), loc);
    const exists = call('and', loc, call('isNotNull', loc, c0), call('gt', loc, c0, lit(0, loc)));
    return { table: keep(counts.table, table, name, exists, loc), reads };
  }
  const xs = outer.keys[outer.keys.length - 1].outer;
  // Where x or y may be NULL, the counts tell FALSE from NULL: COUNT(*) and COUNT(y) per key, joined as Calcite
  // joins them (uncorrelated: an inner join with the one row of counts; correlated: a left join on the key).
  const nullable = (t: Table, column: string) => t.getSchema().find((f) => f.name === column)!.type.nullable;
  const counted = nullable(outer.table, (xs as { name: string }).name) || nullable(withY, '$y');
  const counts = counted
    ? joinPerKey(outer.table, withY, outerKeys, [], [
      { kind: 'alias', name: '$c', expr: call('count', loc), loc },
      { kind: 'alias', name: '$cy', expr: call('count', loc, ref('$y', loc)), loc },
    ], loc, undefined, outerKeys.length ? 'left' : 'inner')
    : { table: outer.table, name: (n: string) => n };
  // The distinct values per key, NULLs left out (x = NULL never holds): one match at most per row.
  const values = withY.filterBy(call('isNotNull', loc, ref('$y', loc)), loc);
  const found = joinPerKey(counts.table, values, outerKeys, [{ name: '$y', expr: ref('$y', loc) }], [], loc, (n) => [call('eq', loc, xs, ref(n('$y'), loc))]);
  const matched = call('isNotNull', loc, ref(found.name('$y'), loc));
  const unknown: LExpr = { kind: 'lit', value: null, type: DataTypes.BOOLEAN(), loc };
  const c0 = ref(counts.name('$c'), loc);
  const mark = counted
    ? call('case', loc,
      call('eq', loc, c0, lit(0, loc)), lit(false, loc),
      matched, lit(true, loc),
      call('isNull', loc, xs), unknown,
      call('lt', loc, ref(counts.name('$cy'), loc), c0), unknown,
      lit(false, loc))
    : matched;
  return { table: keep(found.table, table, name, mark, loc), reads };
}

/**
 * `table` left-joined with `rows` aggregated per correlation key (and `extra` group columns): `select` per group,
 * the join on `key.outer = $k<i>` and `match` (over the joined names). `name` gives a column's joined name.
 */
function joinPerKey(table: Table, rows: Table, keys: Key[], extra: { name: string; expr: LExpr }[], select: LExpr[], loc: SourceLoc | undefined,
  match: (name: (n: string) => string) => LExpr[] = () => [], type: 'left' | 'inner' = 'left'): { table: Table; name: (n: string) => string } {
  const groups = [...keys.map((k, i) => ({ name: `$k${i}`, expr: k.inner })), ...extra];
  const keyed = rows.project([{ kind: 'star', loc }, ...groups.filter((g) => !(g.expr.kind === 'ref' && g.expr.name === g.name)).map((g): LExpr => ({ kind: 'alias', name: g.name, expr: g.expr, loc }))], loc);
  const groupRefs = groups.map((g) => ref(g.name, loc));
  const agg = new GroupedTable(keyed, groupRefs, undefined, loc).aggregate([...groupRefs, ...select], undefined, loc);
  const names = rightOutputNames(table.getSchema(), agg.getSchema());
  const joinedName = new Map(agg.getSchema().map((f, i) => [f.name, names[i]]));
  const name = (n: string) => joinedName.get(n)!;
  const terms = [...keys.map((k, i) => call('eq', loc, k.outer, ref(name(`$k${i}`), loc))), ...match(name)];
  return { table: table.joinWith(type, agg, terms.length ? all(terms, loc) : null, names, loc), name };
}

/** The outer rows with each key's outer side a column (a join keys on columns), and the keys reading those columns. */
function keyedOuter(table: Table, keys: Key[], prefix: string, loc: SourceLoc | undefined): { table: Table; keys: Key[] } {
  const added: LExpr[] = [];
  const columns = keys.map((k, i): Key => {
    if (k.outer.kind === 'ref') return k;
    const name = `${prefix}$o${i}`;
    added.push({ kind: 'alias', name, expr: k.outer, loc });
    return { inner: k.inner, outer: ref(name, loc) };
  });
  return added.length ? { table: table.project([{ kind: 'star', loc }, ...added], loc), keys: columns } : { table, keys };
}

/** The joined rows narrowed to `before`'s columns and the subquery's column. */
function keep(joined: Table, before: Table, name: string, value: LExpr, loc: SourceLoc | undefined): Table {
  return joined.project([...before.getSchema().map((f) => ref(f.name, loc)), { kind: 'alias', name, expr: value, loc }], loc);
}

/** SINGLE_VALUE(x) as Flink's planner adds it to a scalar subquery of more rows than one: x of the one row, a failed job at a second. */
const singleValue = (x: LExpr, loc: SourceLoc | undefined): LExpr => call('singleValue', loc, call('count', loc), call('last_value', loc, x));

/** An aggregate expression's value over no rows: COUNT is 0, every other aggregate NULL. */
function overNoRows(e: LExpr): LExpr {
  switch (e.kind) {
    case 'call':
      if (e.fn.toLowerCase() === 'count') return { kind: 'lit', value: 0, type: DataTypes.BIGINT().notNull!(), loc: e.loc };
      if (hasAggregate(e) && !e.args.some(hasAggregate)) return { kind: 'lit', value: null, loc: e.loc };
      return { ...e, args: e.args.map(overNoRows) };
    case 'cast': case 'alias': return { ...e, expr: overNoRows(e.expr) };
    default: return e;
  }
}

/** A query whose plan ends in an aggregate without keys (then calcs): one row at most. */
function atMostOneRow(t: Table): boolean {
  let n = t.node;
  while (n.kind === 'calc') n = t.env.plan.node(n.input);
  return n.kind === 'groupAggregate' && n.keys.length === 0;
}

/**
 * Names in a correlated subquery's WHERE: the subquery's own columns first, then the outer query's, as SQL scopes
 * them; notes which it read.
 */
class SideScope implements ExprScope {
  inner = false;
  outer = false;

  /** `mapOuter`: what an outer column becomes (the value generator's column of it). */
  constructor(private readonly own: NamedScope, private readonly enclosing: NamedScope, private readonly mapOuter = (e: LExpr, _node: SqlNode) => e) {}

  column(parts: string[], node: SqlNode): LExpr {
    if (!this.own.knows(parts) && this.enclosing.knows(parts)) {
      this.outer = true;
      return this.mapOuter(this.enclosing.column(parts, node), node);
    }
    this.inner = true;
    return this.own.column(parts, node);
  }

  windowAuxiliary(fn: string, property: WindowProperty, args: LExpr[], node: SqlNode): LExpr {
    return this.own.windowAuxiliary(fn, property, args, node);
  }
}

function oneColumn(env: SubqueryEnv, use: NestedSubquery, what: string) {
  return env.text.error(`the subquery of IN selects ${what}; it must select one column`, use.query, 'x IN (SELECT y FROM ...)');
}

/** Whether every outer expression a subquery column reads is a GROUP BY key (then its value is one per group). */
export const readsKeysOnly = (column: SubqueryColumn, keys: LExpr[]) => column.reads.every((r) => keys.some((k) => exprKey(k) === exprKey(r)));

const ref = (name: string, loc: SourceLoc | undefined): LExpr => ({ kind: 'ref', name, loc });
const lit = (value: number | boolean, loc: SourceLoc | undefined): LExpr => ({ kind: 'lit', value, loc });
const call = (fn: string, loc: SourceLoc | undefined, ...args: LExpr[]): LExpr => ({ kind: 'call', fn, args, loc });
const all = (terms: LExpr[], loc: SourceLoc | undefined) => terms.reduce((a, b) => call('and', loc, a, b));
