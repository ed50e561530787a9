// SELECT lowered into the same Table API calls a job would make (project, filterBy, GroupedTable.aggregate,
// unionAll), so every pass after the frontend is shared between SQL and Table API jobs.
import type {
  FromClauseContext, GroupByClauseContext, JoinConditionContext, QueryStatementContext, SelectStatementContext, TableExpressionContext,
  TableReferenceContext, ColumnProjectItemContext, SystemTimePeriodContext, ColumnNameContext,
} from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { ExpressionContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { nearest } from '../../../runtime/core/options.js';
import { CompileError } from '../../ir/diagnostics.js';
import type { JoinType, SourceLoc } from '../../../runtime/core/plan.js';
import { GroupedTable, Table, type TableContext } from '../../api/table.js';
import { lowerWindowTable } from '../lower-window-table.js';
import type { TableDef } from '../../ir/catalog.js';
import { exprKey, hasAggregate, type LExpr } from '../../ir/logical-expr.js';
import { rightOutputNames } from '../lower-join.js';
import { notLookupTable } from '../lower-lookup-join.js';
import { lowerTemporalJoin } from '../lower-temporal-join.js';
import { ExprConverter, asFunctionCall, functionName, type ExprScope } from './expression.js';
import { hasSubquery, joinSubquery, subqueryTerms, type NamedScope, type PlainSelect, type SubqueryEnv } from './subquery.js';
import { CORRELATION_SUPPORTED, joinSubqueryColumns, nestedSubqueries, readsKeysOnly, subqueryKey, type SubqueryColumn } from './subquery-columns.js';
import { callsGrouping, crossSets, expandGroupingSets, itemSets, type GroupingSet } from './grouping-sets.js';
import { groupWindow, isGroupWindowFunction, windowAuxiliary, windowTableFunction, type SqlWindow } from './group-window.js';
import { intervalMillis } from './interval.js';
import { pathOf, tableName, unquoteName } from './names.js';
import { parseSelectItem } from './parse-sql.js';
import { isRowNumberItem, lowerOverSelect } from './over.js';
import { filterRank, lowerRowNumberSelect } from './rank.js';
import { hiddenSortColumn, lowerSorted, type HiddenSortItems } from './sort.js';
import type { SqlNode, SqlText } from './sql-text.js';

/**
 * What SQL is lowered against (TableEnvironment implements it): the Table API's context and the catalog of
 * tables. A contract rather than the class, so that imports go one way (the environment uses this frontend).
 */
export interface SqlEnvironment extends TableContext {
  scan(path: string, loc?: SourceLoc): Table;
  tableDef(name: string): TableDef | undefined;
  registerTable(def: TableDef): void;
  dropTable(name: string, ifExists: boolean, loc?: SourceLoc): void;
  createTemporaryView(name: string, table: Table): void;
  getConfig(): { set(key: string, value: string): unknown };
}

/** What a query is lowered against: the environment, the SQL and the WITH tables in scope. */
export interface QueryContext {
  env: SqlEnvironment;
  text: SqlText;
  /** The parsed text, for re-parsing select items. */
  input: string;
  ctes: ReadonlyMap<string, Table>;
  /** The scopes of the queries this one is a subquery of, innermost last (a reference to them is a correlation). */
  outer?: readonly NamedScope[];
}

/** The window columns a window table function adds, and the window property each one is. */
const WINDOW_COLUMNS = { window_start: 'start', window_end: 'end', window_time: 'rowtime' } as const;
type WindowColumn = keyof typeof WINDOW_COLUMNS;
const isWindowColumn = (name: string): name is WindowColumn => name in WINDOW_COLUMNS;

/** A FROM clause: the input table, the names that qualify its columns, and the window of a window TVF. */
interface Source {
  table: Table;
  qualifiers: string[];
  tvf?: SqlWindow;
  /** For a join: each qualifier's columns and their names in the joined table (which renames clashes: k0). */
  columns?: Map<string, Map<string, string>>;
  /** `t FOR SYSTEM_TIME AS OF expr`: the expression (over the other side of the join), for a lookup or temporal join. */
  asOf?: SystemTimePeriodContext;
  /** The name of the table or view joined FOR SYSTEM_TIME AS OF. */
  asOfTable?: string;
}

export function lowerQuery(q: QueryContext, ctx: QueryStatementContext): Table {
  const { text } = q;
  if (ctx.valuesClause()) throw text.unsupported('VALUES', ctx.valuesClause());
  if (ctx.orderByClause() || ctx.limitClause()) {
    const body = ctx.selectStatement();
    if (ctx.selectClause()) throw text.unsupported('SELECT without FROM', ctx.selectClause());
    return lowerSorted(q, ctx.orderByClause(), ctx.limitClause(), (hidden) => (body ? lowerSelect(q, body, hidden) : lowerQuery(q, ctx.queryStatement(0)!)), !body);
  }
  const withClause = ctx.withClause();
  if (withClause) {
    const ctes = new Map(q.ctes);
    for (const item of withClause.withItem()) {
      const inner = lowerQuery({ ...q, ctes }, item.queryStatement());
      const columns = item.columnName().map((c) => pathOf(c).join('.'));
      ctes.set(unquoteName(item.withItemName().getText()), columns.length ? renamed(text, inner, columns, item) : inner);
    }
    return lowerQuery({ ...q, ctes }, ctx.queryStatement(0)!);
  }
  if (ctx._operator) {
    const op = ctx._operator.text!.toUpperCase();
    if (op !== 'UNION') throw text.unsupported(op, ctx._operator);
    const loc = text.loc(ctx._operator);
    const union = lowerQuery(q, ctx._left!).unionAll(lowerQuery(q, ctx._right!), loc);
    // UNION without ALL removes duplicates, as Flink does.
    return ctx.KW_ALL() ? union : distinct(union, loc);
  }
  const select = ctx.selectStatement();
  if (select) return lowerSelect(q, select);
  if (ctx.selectClause()) throw text.unsupported('SELECT without FROM', ctx.selectClause());
  return lowerQuery(q, ctx.queryStatement(0)!);
}

/** `hidden`: ORDER BY items that are not output columns, computed as extra columns of the select (sort.ts). */
function lowerSelect(q: QueryContext, ctx: SelectStatementContext, hidden: HiddenSortItems = []): Table {
  const { text } = q;
  if (ctx.matchRecognizeClause()) throw text.unsupported('MATCH_RECOGNIZE', ctx.matchRecognizeClause());
  const selectClause = ctx.selectClause();
  const loc = text.loc(selectClause);
  const source = tableOfWindows(q, lowerFrom(q, ctx.fromClause(), selectClause), ctx.groupByClause());
  const scope = new QueryScope(text, source, q.outer ?? []);
  const exprs = new ExprConverter(text, scope);
  let table = source.table;
  // Subqueries are lowered with this query's scope outside theirs: what they read of it is a correlation.
  const inner: QueryContext = { ...q, outer: [...(q.outer ?? []), scope] };
  const env: SubqueryEnv = {
    text, outer: scope, query: (sub) => lowerQuery(inner, sub), selectParts: (sub) => selectParts(inner, sub),
    plainSelect: (sub) => { const parts = selectParts(inner, sub); return parts?.aggregating ? undefined : parts; },
  };

  const where = ctx.whereClause();
  const cond = where?.booleanExpression();
  const terms = cond ? subqueryTerms(cond) : undefined;
  // Subqueries read as values (scalar ones, IN / EXISTS inside an expression): a column each, joined to the rows
  // before anything reads them (subquery-columns.ts). The AND-ed IN / EXISTS terms of WHERE are semi / anti joins.
  // Select items as selectItem reads them (re-parsed: the grammar's own reading of an item may differ).
  const itemTrees = selectClause.selectList().columnProjectItem()
    .map((item) => (item.tableAllColumns() || item.selectWindowItemColumnName() ? null : parseSelectItem(q.input, item.start!.start, item.stop!.stop).expr));
  const nested = nestedSubqueries([...(terms ? terms.plain : [where]), ...itemTrees, ctx.havingClause()]);
  let subqueryColumns: SubqueryColumn[] = [];
  if (nested.length) ({ table, columns: subqueryColumns } = joinSubqueryColumns(env, table, nested, scope.scalars));

  if (where && terms?.subqueries.length) {
    // IN / EXISTS subqueries: the other terms filter first, then each subquery is a semi or anti join (subquery.ts).
    const rest = terms.plain.map((c) => exprs.condition(c));
    if (rest.length) table = table.filterBy(rest.reduce((a, b) => ({ kind: 'call', fn: 'and', args: [a, b], loc: a.loc })), text.loc(where));
    for (const term of terms.subqueries) table = joinSubquery(env, table, term);
  } else if (where) {
    const condition = cond ? exprs.condition(cond) : scope.column(pathOf(where.columnNamePathAllowEmpty()), where);
    table = filterRank(q, table, condition, where) ?? table.filterBy(condition, text.loc(where));
  }

  // GROUP BY first: the select list may name its window (TUMBLE_START(...), window_start).
  const group = ctx.groupByClause();
  const grouped = group ? groupKeys(text, exprs, scope, group) : { keys: [], sets: null };
  scope.selecting = true;
  const itemContexts = selectClause.selectList().columnProjectItem();
  if (itemContexts.some((item) => item.selectWindowItemColumnName())) {
    if (group || ctx.havingClause()) throw text.unsupported('OVER in an aggregating select', group ?? ctx.havingClause(), 'aggregate in a subquery and apply OVER to its rows');
    const windows = new Map((ctx.windowClause()?.namedWindow() ?? []).map((w) => [unquoteName(w.errorCapturingIdentifier().getText()), w.windowSpec()]));
    const plain = (item: ColumnProjectItemContext) => selectItem(q, exprs, scope, item);
    const overItems = itemContexts.filter((item) => item.selectWindowItemColumnName());
    table = overItems.length === 1 && isRowNumberItem(text, overItems[0])
      ? lowerRowNumberSelect({ ...q, env: q.env, windows }, table, itemContexts, plain)
      : lowerOverSelect({ env: q.env, text, windows, args: (call) => exprs.arguments(call) }, table, itemContexts, plain);
    return selectClause.setQuantifier()?.getText().toUpperCase() === 'DISTINCT' ? distinct(table, loc) : table;
  }
  // `*` is the FROM's columns, not the scalar subqueries' too; a scalar subquery selected as it is is named EXPR$n.
  const scalarNames = new Set(scope.scalars.values());
  const items = itemContexts.flatMap((item) => selectItem(q, exprs, scope, item))
    .flatMap((e): LExpr[] => (e.kind === 'star' && scalarNames.size ? source.table.getSchema().map((f) => ({ kind: 'ref', name: f.name, loc: e.loc })) : [e]))
    .map((e, i): LExpr => (e.kind === 'ref' && scalarNames.has(e.name) ? { kind: 'alias', expr: e, name: `EXPR$${i}`, loc: e.loc } : e));
  if (hidden.length && selectClause.setQuantifier()?.getText().toUpperCase() === 'DISTINCT') {
    throw text.error('ORDER BY of a SELECT DISTINCT may only name its output columns', hidden[0].at, 'order by a column of the select list');
  }
  items.push(...hidden.map((h, i): LExpr => ({ kind: 'alias', expr: h.value(exprs, scope), name: hiddenSortColumn(i), loc: text.loc(h.at) })));
  const having = ctx.havingClause();
  let havingExpr = having ? exprs.condition(having.booleanExpression()) : undefined;
  const grouping = [...items, ...(havingExpr ? [havingExpr] : [])].find(callsGrouping);
  if (grouping && !group) throw new CompileError('GROUPING and GROUPING_ID need a GROUP BY', grouping.loc ?? loc, 'GROUP BY ROLLUP (a, b), then GROUPING(a)');
  let { keys } = grouped;
  // A subquery's column is a key where it is one value per group (it reads no outer column but keys), so that the
  // select list may read it.
  const subqueryKeys = subqueryColumns.filter((c) => readsKeysOnly(c, keys)).map((c): LExpr => ({ kind: 'ref', name: c.name, loc }));
  // A plain GROUP BY with GROUPING(...) is one grouping set; one set of every key needs no expansion.
  const sets = grouped.sets ?? (grouping ? [keys.map((_, i) => i)] : null);
  if (sets && (grouping || sets.length !== 1 || sets[0].length !== keys.length)) {
    if (scope.window && scope.window !== scope.source.tvf) {
      throw text.unsupported('GROUPING SETS, ROLLUP or CUBE beside a group window (GROUP BY TUMBLE(...))', group, "Flink 2.3 fails on it too; window with a table function: FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY window_start, window_end, ROLLUP (k)");
    }
    const expanded = expandGroupingSets(table, keys, sets, items, havingExpr, text.loc(group));
    ({ table, keys } = expanded);
    items.splice(0, items.length, ...expanded.select);
    havingExpr = expanded.having;
  }

  if (group || having || items.some(hasAggregate)) {
    const windowKey: LExpr[] = scope.window ? [{ kind: 'ref', name: scope.window.window.def.alias, loc: scope.window.window.def.loc }] : [];
    table = new GroupedTable(table, [...windowKey, ...keys, ...subqueryKeys], scope.window?.window, text.loc(group ?? selectClause))
      .aggregate(items, havingExpr, loc);
  } else {
    table = table.project(items, loc);
  }
  return selectClause.setQuantifier()?.getText().toUpperCase() === 'DISTINCT' ? distinct(table, loc) : table;
}

/**
 * A subquery that is a plain SELECT ... FROM ... [WHERE ...] (no GROUP BY, DISTINCT, set operation, nested subquery in
 * its WHERE; aggregates in its select list are told): its FROM table and scope, for a correlated subquery (subquery.ts,
 * subquery-columns.ts); undefined otherwise.
 */
function selectParts(q: QueryContext, ctx: QueryStatementContext): PlainSelect | undefined {
  const s = ctx.selectStatement();
  if (!s || ctx.withClause() || ctx.orderByClause() || ctx.limitClause() || ctx._operator) return undefined;
  const select = s.selectClause();
  if (s.groupByClause() || s.havingClause() || s.windowClause() || s.matchRecognizeClause() || select.setQuantifier()) return undefined;
  const where = s.whereClause();
  if (where && (!where.booleanExpression() || hasSubquery(where))) return undefined;
  const itemContexts = select.selectList().columnProjectItem();
  if (itemContexts.some((item) => item.selectWindowItemColumnName())) return undefined;
  const items = itemContexts.map((item) => (item.tableAllColumns() ? null : parseSelectItem(q.input, item.start!.start, item.stop!.stop).expr));
  if (itemContexts.some((item) => hasSubquery(item))) return undefined;
  // An aggregate makes it a query of one row (there is no GROUP BY), whatever its FROM. Checked by name, before the
  // FROM is lowered (any column reads as itself here).
  const names: ExprScope = { column: (parts) => ({ kind: 'ref', name: parts.join('.') }), windowAuxiliary: () => ({ kind: 'lit', value: null }) };
  const aggregating = items.some((e) => e && hasAggregate(new ExprConverter(q.text, names).expression(e)));
  const source = lowerFrom(q, s.fromClause(), select);
  if (source.tvf) return undefined;
  return { table: source.table, scope: new QueryScope(q.text, source, q.outer ?? []), where: where?.booleanExpression() ?? null, items, aggregating };
}

/**
 * A window table function not grouped by its window_start and window_end (as Flink's planner decides: only
 * that GROUP BY is a window aggregate) is a table of its own, one row per row and window: a windowTable node.
 */
function tableOfWindows(q: QueryContext, source: Source, group: GroupByClauseContext | null): Source {
  if (!source.tvf) return source;
  const grouped = new Set((group?.groupItemDefinition() ?? []).map((item) => {
    const parts = item.columnName() ? pathOf(item.columnName()) : undefined;
    return parts?.[parts.length - 1];
  }));
  if (grouped.has('window_start') && grouped.has('window_end')) return source;
  const { def } = source.tvf.window;
  const node = lowerWindowTable(q.env.plan, q.env.functions, source.table.node, def, def.loc);
  return { ...source, table: new Table(q.env, node), tvf: undefined };
}

/** SELECT DISTINCT: a group by every column, selecting them. */
function distinct(table: Table, loc: SourceLoc | undefined): Table {
  const columns: LExpr[] = table.getSchema().map((f) => ({ kind: 'ref', name: f.name, loc }));
  return new GroupedTable(table, columns, undefined, loc).aggregate(columns, undefined, loc);
}

/** `AS t(a, b)`, `WITH t(a, b) AS ...`, `CREATE VIEW v(a, b)`: new names for the columns, in order. */
export function renamed(text: SqlText, table: Table, names: string[], at: SqlNode): Table {
  const schema = table.getSchema();
  if (names.length !== schema.length) {
    throw text.error(`${names.length} column name(s) for ${schema.length} column(s) (${schema.map((f) => f.name).join(', ')})`, at);
  }
  const loc = text.loc(at);
  return table.project(schema.map((f, i) => ({ kind: 'alias', expr: { kind: 'ref', name: f.name, loc }, name: names[i], loc })), loc);
}

function lowerFrom(q: QueryContext, from: FromClauseContext | null, select: SqlNode): Source {
  if (!from) throw q.text.unsupported('SELECT without FROM', select);
  const source = tableExpression(q, from.tableExpression());
  if (source.asOf) throw q.text.unsupported('FOR SYSTEM_TIME AS OF outside a join', source.asOf, 'look the table up in a join: FROM orders o JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d ON d.k = o.k');
  return source;
}

function tableExpression(q: QueryContext, te: TableExpressionContext): Source {
  const { text } = q;
  const tvf = te.windowTVFClause();
  if (tvf) {
    const { table, tableAt, window } = windowTableFunction(text, tvf);
    return { table: scan(q, table, tableAt), qualifiers: [table[table.length - 1]], tvf: window };
  }
  if (te.inlineDataValueClause()) throw text.unsupported('VALUES', te);
  if (te.KW_JOIN()) return join(q, te);
  const refs = te.tableReference();
  if (refs.length === 0) return tableExpression(q, te.tableExpression(0)!);
  // FROM a, b, c: cross joins, left to right; the WHERE above them gives their conditions (passes/split-join-conditions.ts).
  return refs.slice(1).reduce((l, r, i) => (isCorrelated(r) ? correlated(q, l, r, 'inner', null, te.COMMA(i)!) : joined(q, l, tableReference(q, r), 'inner', null, te.COMMA(i)!)), tableReference(q, refs[0]));
}

/** `a [INNER | LEFT | RIGHT | FULL] [OUTER] JOIN b ON ...`, `a CROSS JOIN b`. */
function join(q: QueryContext, te: TableExpressionContext): Source {
  const { text } = q;
  const at = te.KW_JOIN()!;
  const supported = 'supported: [INNER] JOIN, LEFT/RIGHT/FULL [OUTER] JOIN ... ON, CROSS JOIN and FROM a, b WHERE ... (docs/sql.md)';
  if (te.KW_NATURAL()) throw text.unsupported('NATURAL JOIN', te.KW_NATURAL(), `name the columns: JOIN ... ON a.k = b.k; ${supported}`);
  const cond = te.joinCondition();
  if (cond?.KW_USING()) throw text.unsupported('JOIN ... USING', cond, `write the equality: JOIN ... ON a.k = b.k; ${supported}`);
  const type = te.KW_LEFT() ? 'left' : te.KW_RIGHT() ? 'right' : te.KW_FULL() ? 'full' : 'inner';
  if (type !== 'inner' && !cond) throw text.error(`${type.toUpperCase()} JOIN needs an ON condition`, at, supported);
  const l = tableExpression(q, te.tableExpression(0)!);
  const right = te.tableExpression(1)!;
  const single = right.KW_JOIN() ? [] : right.tableReference();
  if (single.length === 1 && isCorrelated(single[0])) return correlated(q, l, single[0], type, cond, at);
  const r = tableExpression(q, right);
  return joined(q, l, r, type, cond, at);
}

/** The join types a FROM clause writes (semi and anti joins come from subqueries, subquery.ts). */
type WrittenJoin = Exclude<JoinType, 'semi' | 'anti'>;

/** UNNEST(...) and LATERAL TABLE(f(...)): FROM items that are functions of the rows before them. */
const isCorrelated = (ref: TableReferenceContext) => !!ref.tablePrimary().atomExpressionTable()?.KW_UNNEST() || !!ref.tablePrimary().atomFunctionTable();

/**
 * `l CROSS JOIN UNNEST(expr) AS u(x)`, `l, UNNEST(...)`, `l [LEFT] JOIN UNNEST(...) ON TRUE`, and the same with
 * `LATERAL TABLE(f(...)) AS t(a, b)` (a table function): a correlate over l's rows.
 */
function correlated(q: QueryContext, l: Source, ref: TableReferenceContext, type: WrittenJoin, cond: JoinConditionContext | null, at: SqlNode): Source {
  const { text } = q;
  const fnTable = ref.tablePrimary().atomFunctionTable();
  const what = fnTable ? 'LATERAL TABLE(...)' : 'UNNEST(...)';
  const supported = fnTable
    ? 'CROSS JOIN LATERAL TABLE(f(x)) AS t(a, b), FROM l, LATERAL TABLE(...), or LEFT JOIN LATERAL TABLE(f(x)) AS t(a, b) ON TRUE (filter in WHERE)'
    : 'CROSS JOIN UNNEST(a) AS u(x), or LEFT JOIN UNNEST(a) AS u(x) ON TRUE (filter in WHERE)';
  if (l.tvf) throw text.unsupported(`${what} beside a window table function`, at, 'apply it in a subquery first');
  if (type === 'right' || type === 'full') throw text.unsupported(`${type.toUpperCase()} JOIN ${what}`, at, supported);
  const onTrue = !!cond && /^TRUE$/i.test(text.source(cond.booleanExpression()).trim());
  if (type === 'left' && !onTrue) throw text.unsupported(`LEFT JOIN ${what} with a condition other than ON TRUE`, cond ?? at, supported);
  const exprs = new ExprConverter(text, new QueryScope(text, l));
  const alias = ref.tableAlias();
  const names = alias?.identifierList()?.identifierSeq().identifier().map((i) => unquoteName(i.getText()));
  const width = l.table.getSchema().length;
  let table: Table;
  let qualifier: string;
  if (fnTable) {
    const f = fnTable.functionCallExpression();
    const call: LExpr = { kind: 'call', fn: functionName(text, f), args: exprs.arguments(f), loc: text.loc(f) };
    table = l.table.lateral(type, names?.length ? { kind: 'alias', expr: call, name: names[0], names, loc: text.loc(alias!) } : call, text.loc(fnTable));
    qualifier = alias?._alias ? unquoteName(alias._alias.getText()) : (call as { fn: string }).fn;
  } else {
    const atom = ref.tablePrimary().atomExpressionTable()!;
    table = l.table.unnestWith(type, exprs.expression(atom.expression()!), names, text.loc(atom));
    qualifier = alias?._alias ? unquoteName(alias._alias.getText()) : 'UNNEST';
  }
  const added = table.getSchema().slice(width).map((f, i): [string, string] => [names?.[i] ?? f.name, f.name]);
  const source: Source = { table, qualifiers: [...l.qualifiers, qualifier], columns: new Map([...columnsOf(l), [qualifier, new Map(added)]]) };
  if (!cond || onTrue) return source;
  const condition = new ExprConverter(text, new QueryScope(text, source)).condition(cond.booleanExpression()!);
  return { ...source, table: table.filterBy(condition, text.loc(cond)) };
}

/** The join of two FROM items: the joined table, and the qualifiers of both with their columns' new names. */
function joined(q: QueryContext, l: Source, r: Source, type: WrittenJoin, cond: JoinConditionContext | null, at: SqlNode): Source {
  const { text } = q;
  if (l.tvf || r.tvf) {
    throw text.unsupported('a join of window table functions read on their own', at,
      'window each side in a subquery, (SELECT window_start, window_end, k, ... FROM TABLE(TUMBLE(...)) GROUP BY window_start, window_end, k) L, and join them ON L.window_start = R.window_start AND L.window_end = R.window_end AND ... (a window join)');
  }
  const left = l.table.getSchema();
  const rightNames = rightOutputNames(left, r.table.getSchema());
  const columns = new Map(columnsOf(l));
  for (const [qualifier, cols] of columnsOf(r)) {
    if (columns.has(qualifier)) throw text.error(`the table alias '${qualifier}' is used twice in the FROM clause`, at, `give one an alias: JOIN ${qualifier} AS ${qualifier}2`);
    const schema = r.table.getSchema();
    columns.set(qualifier, new Map([...cols].map(([name, inner]) => [name, rightNames[schema.findIndex((f) => f.name === inner)]])));
  }
  const source: Source = { table: l.table, qualifiers: [...l.qualifiers, ...r.qualifiers], columns };
  const condition = cond ? new ExprConverter(text, new QueryScope(text, source)).condition(cond.booleanExpression()!) : null;
  if (l.asOf) throw text.unsupported('FOR SYSTEM_TIME AS OF on the left side of a join', l.asOf, 'put the looked-up table on the right: FROM orders o JOIN dim FOR SYSTEM_TIME AS OF o.proc_time AS d');
  if (r.asOf) return { ...source, table: joinAsOf(q, l, r, r.asOf, type, condition, rightNames, at) };
  return { ...source, table: l.table.joinWith(type, r.table, condition, rightNames, text.loc(at)) };
}

/**
 * `l JOIN r FOR SYSTEM_TIME AS OF l.t`: by a proctime, a lookup join of a jdbc table; by a rowtime, a temporal
 * join of a versioned table (frontend/lower-temporal-join.ts).
 */
function joinAsOf(q: QueryContext, l: Source, r: Source, asOf: SystemTimePeriodContext, type: WrittenJoin, condition: LExpr | null, rightNames: string[], at: SqlNode): Table {
  const { text } = q;
  if (type !== 'inner' && type !== 'left') throw text.unsupported(`${type.toUpperCase()} JOIN with FOR SYSTEM_TIME AS OF`, at, 'a lookup join or a temporal join is [INNER] JOIN or LEFT JOIN');
  const time = new ExprConverter(text, new QueryScope(text, l)).expression(asOf.dateTimeExpression().expression());
  const attribute = time.kind === 'ref' ? l.table.getSchema().find((f) => f.name === time.name)?.type.timeAttribute : undefined;
  if (time.kind === 'ref' && attribute === 'rowtime') {
    return new Table(q.env, lowerTemporalJoin(q.env.plan, q.env.functions, {
      left: l.table.node, right: r.table.node, table: r.asOfTable ?? r.qualifiers[0], joinType: type, condition, rightNames, leftTime: time.name,
      declaredKey: (name) => q.env.tableDef(name)?.primaryKey ?? [], loc: text.loc(at), asOfLoc: text.loc(asOf),
    }));
  }
  if (attribute !== 'proctime') {
    throw text.error("Temporal table join currently only supports 'FOR SYSTEM_TIME AS OF' left table's time attribute field", asOf,
      'name a rowtime of the left table (a column with a WATERMARK) to join a versioned table as of its event time, or a proctime (proc_time AS PROCTIME()) to look a jdbc table up');
  }
  const problem = notLookupTable(r.table.node);
  if (problem) throw text.error(problem, asOf);
  return l.table.lookupJoinWith(type, r.table, condition, rightNames, text.loc(at));
}

/** A FROM item's qualifiers, each with its columns (name → name in the item's table). */
function columnsOf(s: Source): Map<string, Map<string, string>> {
  if (s.columns) return s.columns;
  const own = new Map(s.table.getSchema().map((f) => [f.name, f.name]));
  return new Map(s.qualifiers.map((q) => [q, own]));
}

function tableReference(q: QueryContext, ref: TableReferenceContext): Source {
  const { text } = q;
  const primary = ref.tablePrimary();
  if (primary.atomFunctionTable()) throw text.unsupported('LATERAL TABLE(...) as the first FROM item', primary.atomFunctionTable(), 'join it to a table: FROM t, LATERAL TABLE(f(t.x)) AS r(a, b)');
  const path = primary.tablePath() ?? primary.viewPath();
  let table: Table;
  const qualifiers: string[] = [];
  if (path) {
    const parts = pathOf(path);
    table = scan(q, parts, path);
    qualifiers.push(parts[parts.length - 1]);
  } else {
    const atom = primary.atomExpressionTable()!;
    if (atom.KW_UNNEST()) throw text.unsupported('UNNEST', atom);
    if (atom.KW_LATERAL()) throw text.unsupported('LATERAL subqueries', atom);
    table = lowerQuery(q, atom.queryStatement()!);
  }
  const alias = ref.tableAlias();
  const asOf = primary.systemTimePeriod() ?? undefined;
  const asOfTable = asOf && path ? tableName(pathOf(path)) : undefined;
  if (asOf && !path) throw text.unsupported('FOR SYSTEM_TIME AS OF on a subquery', asOf, 'name a table or view of the catalog: JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r (a view for a versioned table: CREATE VIEW)');
  if (!alias) return { table, qualifiers, asOf, asOfTable };
  const columns = alias.identifierList()?.identifierSeq().identifier().map((i) => unquoteName(i.getText()));
  if (asOf && columns) throw text.unsupported('column aliases on a table joined FOR SYSTEM_TIME AS OF', alias);
  return { table: columns ? renamed(text, table, columns, alias) : table, qualifiers: [unquoteName(alias._alias!.getText())], asOf, asOfTable };
}

/** A table, view or WITH query by name. */
function scan(q: QueryContext, parts: string[], at: SqlNode): Table {
  const cte = parts.length === 1 ? q.ctes.get(parts[0]) : undefined;
  return cte ?? q.env.scan(tableName(parts), q.text.loc(at));
}

/**
 * GROUP BY items: keys as expressions, and the grouping sets when GROUPING SETS, ROLLUP, CUBE or a parenthesized
 * list is written (grouping-sets.ts; null: one set of every key); a group window (or a window TVF's window
 * columns) is taken into the scope, and is in every set.
 */
function groupKeys(text: SqlText, exprs: ExprConverter, scope: QueryScope, ctx: GroupByClauseContext): { keys: LExpr[]; sets: GroupingSet[] | null } {
  const keys: LExpr[] = [];
  const useWindow = (w: SqlWindow, at: SqlNode) => {
    if (scope.window && scope.window !== w) throw text.unsupported('more than one group window', at);
    scope.window = w;
  };
  /** The index of a key among the keys, the same key written twice being one. */
  const keyIndex = (at: ExpressionContext | ColumnNameContext): number => {
    const key = at instanceof ExpressionContext ? exprs.expression(at) : scope.column(pathOf(at), at);
    const found = keys.findIndex((k) => exprKey(k) === exprKey(key));
    return found >= 0 ? found : keys.push(key) - 1;
  };
  let sets: GroupingSet[] | null = null;
  for (const item of ctx.groupItemDefinition()) {
    if (item.groupingSets() || item.groupingSetsNotationName() || item.LR_BRACKET()) {
      sets = crossSets(sets ?? [keys.map((_, i) => i)], itemSets(text, item, keyIndex));
      continue;
    }
    const windowFn = item.groupWindowFunction();
    const expr = item.expression(0);
    const call = expr ? asFunctionCall(expr) : undefined;
    if (windowFn) {
      const fn = windowFn.groupWindowFunctionName().getText().toUpperCase();
      const time = windowFn.timeAttrColumn();
      const interval = windowFn.timeIntervalExpression();
      useWindow(groupWindow(text, fn, [
        scope.column(pathOf(time), time),
        { kind: 'interval', millis: intervalMillis(text, interval), loc: text.loc(interval) },
      ], windowFn), windowFn);
    } else if (call && isGroupWindowFunction(functionName(text, call))) {
      useWindow(groupWindow(text, functionName(text, call).toUpperCase(), exprs.arguments(call), call), call);
    } else {
      const parts = item.columnName() ? pathOf(item.columnName()) : undefined;
      const name = parts?.[parts.length - 1];
      if (scope.source.tvf && name && isWindowColumn(name)) {
        // window_start and window_end group by the TVF's window; the window itself is the key.
        useWindow(scope.source.tvf, item);
        continue;
      }
      const at = keyIndex(item.columnName() ?? expr!);
      if (sets) sets = crossSets(sets, [[at]]);
    }
  }
  return { keys, sets };
}

function selectItem(q: QueryContext, exprs: ExprConverter, scope: QueryScope, item: ColumnProjectItemContext): LExpr[] {
  const { text } = q;
  if (item.selectWindowItemColumnName()) throw text.unsupported('OVER windows', item, 'aggregate with GROUP BY and a group window instead');
  const all = item.tableAllColumns();
  if (all) {
    const qualifier = all.identifier().map((i) => unquoteName(i.getText()));
    if (qualifier.length) scope.qualifier(qualifier, all);
    if (item.columnAlias()) throw text.error('* cannot have an alias', item.columnAlias());
    const loc = text.loc(all);
    // t.* of a join: that table's columns, by their names in the joined table.
    const own = qualifier.length ? scope.source.columns?.get(qualifier[0]) : undefined;
    return own ? [...own.values()].map((name): LExpr => ({ kind: 'ref', name, loc })) : [{ kind: 'star', loc }];
  }
  const { expr, alias, rest } = parseSelectItem(q.input, item.start!.start, item.stop!.stop);
  if (rest) throw text.error(`SQL syntax error at '${rest.text}'`, rest, 'a select item is an expression with an optional [AS] alias');
  const e = exprs.expression(expr);
  return [alias ? { kind: 'alias', expr: e, name: unquoteName(alias.text!), loc: text.loc(alias) } : e];
}

/** Column names in a SELECT: qualifiers of the FROM table, and the window columns of a window TVF. */
class QueryScope implements NamedScope {
  /** The query's window, once GROUP BY names it. */
  window: SqlWindow | undefined;
  /** The subqueries read as values (by subqueryKey), each with the column it was joined as. */
  readonly scalars = new Map<number, string>();
  /** Window columns are values of the aggregate: only the select list and HAVING may read them. */
  selecting = false;

  /** `outer`: the scopes of the queries this one is a subquery of, innermost last. */
  constructor(private readonly text: SqlText, readonly source: Source, private readonly outer: readonly NamedScope[] = []) {}

  column(parts: string[], node: SqlNode): LExpr {
    if (this.outer.length && !this.knows(parts) && !(this.source.tvf && isWindowColumn(parts[parts.length - 1]))) {
      // A column of an enclosing query where no decorrelation takes it (those resolve it before asking here).
      const level = [...this.outer].reverse().findIndex((o) => o.knows(parts));
      if (level >= 0) {
        throw this.text.unsupported(`a correlated reference to ${parts.join('.')} (a column of ${level === 0 ? 'the enclosing query' : 'a query more than one level out: nested correlation'}) here`, node, CORRELATION_SUPPORTED);
      }
    }
    // r.f (and t.r.f): field access into a ROW column, where the first part is no table or alias.
    const head = parts.length > 1 && this.source.qualifiers.includes(parts[0]) ? 2 : 1;
    if (parts.length > head && (head === 2 || this.hasColumn(parts[0]))) {
      const loc = this.text.loc(node);
      return parts.slice(head).reduce<LExpr>((row, f) => ({ kind: 'call', fn: 'field', args: [row, { kind: 'lit', value: f, loc }], loc }), this.column(parts.slice(0, head), node));
    }
    if (parts.length > 2) throw this.text.unsupported(`the nested field access ${parts.join('.')}`, node);
    if (parts.length === 2) this.qualifier(parts.slice(0, 1), node);
    const loc = this.text.loc(node);
    const name = this.source.columns ? this.joinedColumn(parts, node) : parts[parts.length - 1];
    if (this.source.tvf && isWindowColumn(name)) {
      if (!this.selecting || !this.window) {
        throw this.text.error(`${name} is only available in the select list of GROUP BY window_start, window_end`, node);
      }
      // Named after the column, as in Flink: `SELECT window_start` outputs a column window_start.
      const prop: LExpr = { kind: 'windowProp', window: this.window.window.def.alias, property: this.windowProperty(name), loc };
      return { kind: 'alias', expr: prop, name, loc };
    }
    return { kind: 'ref', name, loc };
  }

  subquery(query: QueryStatementContext): LExpr | undefined {
    const name = this.scalars.get(subqueryKey(query));
    return name === undefined ? undefined : { kind: 'ref', name, loc: this.text.loc(query) };
  }

  /** Whether a column as written is one of this scope's (a qualifier of its FROM, or a column name). */
  knows(parts: string[]): boolean {
    return (parts.length > 1 && this.source.qualifiers.includes(parts[0])) || this.hasColumn(parts[0]);
  }

  private hasColumn(name: string): boolean {
    const lower = name.toLowerCase();
    const names = this.source.columns ? [...this.source.columns.values()].flatMap((c) => [...c.keys()]) : this.source.table.getSchema().map((f) => f.name);
    return names.some((n) => n.toLowerCase() === lower);
  }

  /** A column of a join: by its qualifier, or by a name only one of the joined tables has. */
  private joinedColumn(parts: string[], node: SqlNode): string {
    const name = parts[parts.length - 1];
    const find = (cols: Map<string, string>) => cols.get(name) ?? [...cols].find(([c]) => c.toLowerCase() === name.toLowerCase())?.[1];
    if (parts.length === 2) {
      const found = find(this.source.columns!.get(parts[0])!);
      if (found === undefined) {
        const names = [...this.source.columns!.get(parts[0])!.keys()];
        const near = nearest(name, names);
        throw this.text.error(`unknown column '${name}' in table '${parts[0]}'`, node, near ? `did you mean '${parts[0]}.${near}'?` : `its columns: ${names.join(', ')}`);
      }
      return found;
    }
    const hits = [...this.source.columns!].filter(([, cols]) => find(cols) !== undefined);
    if (hits.length > 1) throw this.text.error(`column '${name}' is ambiguous: ${hits.map(([q]) => q).join(', ')} have it`, node, `qualify it: ${hits[0][0]}.${name}`);
    return hits.length === 1 ? find(hits[0][1])! : name;
  }

  windowAuxiliary(fn: string, property: LExprWindowProperty, args: LExpr[], node: SqlNode): LExpr {
    const w = windowAuxiliary(this.text, this.window, fn, args, node);
    return { kind: 'windowProp', window: w.def.alias, property, loc: this.text.loc(node) };
  }

  qualifier(parts: string[], node: SqlNode): void {
    const [q] = parts;
    if (parts.length === 1 && this.source.qualifiers.includes(q)) return;
    const near = nearest(q, this.source.qualifiers);
    throw this.text.error(`unknown table or alias '${parts.join('.')}'`, node,
      near ? `did you mean '${near}'?` : this.source.qualifiers.length ? `the FROM table is '${this.source.qualifiers[0]}'` : 'name the FROM table: FROM t AS x');
  }

  /** window_time is the window's time attribute: rowtime for an event-time window, proctime otherwise. */
  private windowProperty(name: WindowColumn): LExprWindowProperty {
    if (name !== 'window_time') return WINDOW_COLUMNS[name];
    const on = this.window!.window.def.on;
    const field = on.kind === 'ref' ? this.source.table.getSchema().find((f) => f.name === on.name) : undefined;
    return field?.type.timeAttribute === 'proctime' ? 'proctime' : 'rowtime';
  }
}

type LExprWindowProperty = Extract<LExpr, { kind: 'windowProp' }>['property'];
