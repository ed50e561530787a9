// Flink's Table: each operation resolves against the input schema right away (so errors point at the
// call that caused them) and adds plan nodes through the environment's PlanBuilder.
import { typeToString, withType, type Field } from '../../runtime/core/data-types.js';
import type { Row } from '../../runtime/core/row.js';
import type { JoinType, PlanNode, SortKey, SourceLoc, UnionNode } from '../../runtime/core/plan.js';
import type { RowKind } from '../../runtime/core/row.js';
import { CompileError } from '../ir/diagnostics.js';
import { exprKey, hasAggregate, outputName, stripAlias, type LExpr } from '../ir/logical-expr.js';
import { identity, type PlanBuilder } from '../ir/plan-builder.js';
import { callerLoc } from '../ir/source-loc.js';
import { lowerAggregate } from '../frontend/lower-aggregate.js';
import { ambiguousNames, lowerJoin } from '../frontend/lower-join.js';
import { lowerLookupJoin } from '../frontend/lower-lookup-join.js';
import { lowerSort } from '../frontend/lower-sort.js';
import { lowerTableFunction, lowerUnnest } from '../frontend/lower-correlate.js';
import { Resolver, assignable, type FunctionCatalog } from '../frontend/resolve.js';
import { isOrdering, toNode, type ExpressionLike, type Ordering } from './expressions.js';
import type { GroupWindow } from './windows.js';

export interface TableResult {
  /** Standalone: runs the job; inside a job: nothing to wait for (the job runs after its body). */
  await(): Promise<void>;
  /** Writes the changelog to stdout (adds a print sink inside a job). */
  print(): Promise<void>;
  /** The materialized rows of a bounded query (standalone only). */
  collect(): Promise<Row[]>;
  /** The changelog of a bounded query with row kinds (standalone only). */
  collectChangelog(): Promise<{ kind: RowKind; row: Row }[]>;
}

/**
 * What a Table needs from the environment that made it (TableEnvironment implements it): the plan being
 * built, the functions, and the sinks. A contract rather than the class, so that imports go one way.
 */
export interface TableContext {
  readonly plan: PlanBuilder;
  readonly functions: FunctionCatalog;
  insertInto(tableName: string, t: Table, loc?: SourceLoc): TableResult;
  executeTable(t: Table, loc?: SourceLoc): TableResult;
  explainTable(t: Table): string;
}

export class Table {
  constructor(readonly env: TableContext, readonly node: PlanNode) {}

  getSchema(): Field[] {
    return this.node.schema;
  }

  /** Flink's printSchema() text. */
  printSchema(): string {
    return `(\n${this.node.schema.map((f) => `  \`${f.name}\` ${typeToString(f.type)}`).join(',\n')}\n)`;
  }

  select(...fields: ExpressionLike[]): Table {
    return this.project(fields.map(toNode), callerLoc());
  }

  /** Select with already-unresolved expressions; SQL lowering uses it too. */
  project(fields: LExpr[], loc?: SourceLoc): Table {
    const items = this.expandStar(fields);
    if (items.some(hasAggregate)) {
      return this.derive(lowerAggregate(this.env.plan, this.env.functions, { input: this.node, keys: [], select: items, loc }));
    }
    const resolver = this.resolver();
    const projections = items.map((e, i) => ({ name: outputName(e, i), expr: resolver.resolve(e) }));
    checkUniqueNames(projections.map((p) => p.name), loc);
    return this.derive(this.env.plan.calc(this.node, projections, null, loc));
  }

  addColumns(...fields: ExpressionLike[]): Table {
    return this.project([{ kind: 'star' }, ...fields.map(toNode)], callerLoc());
  }

  dropColumns(...fields: ExpressionLike[]): Table {
    const loc = callerLoc();
    const drop = fields.map((f) => stripAlias(toNode(f)));
    const names = drop.map((d) => (d.kind === 'ref' ? d.name : exprKey(d)));
    names.forEach((n, i) => this.resolver().resolve({ kind: 'ref', name: n, loc: drop[i].loc }));
    return this.project(this.node.schema.filter((f) => !names.includes(f.name)).map((f) => ({ kind: 'ref', name: f.name })), loc);
  }

  renameColumns(...fields: ExpressionLike[]): Table {
    const loc = callerLoc();
    const renames = new Map<string, LExpr>();
    for (const f of fields.map(toNode)) {
      const inner = f.kind === 'alias' ? stripAlias(f.expr) : f;
      if (f.kind !== 'alias' || inner.kind !== 'ref') throw new CompileError(`renameColumns takes $('old').as('new')`, f.loc ?? loc);
      this.resolver().resolve(inner);
      renames.set(inner.name, f);
    }
    return this.project(this.node.schema.map((c) => renames.get(c.name) ?? { kind: 'ref', name: c.name }), loc);
  }

  where(predicate: ExpressionLike): Table {
    return this.filterBy(toNode(predicate), callerLoc());
  }

  filter(predicate: ExpressionLike): Table {
    return this.filterBy(toNode(predicate), callerLoc());
  }

  filterBy(predicate: LExpr, loc?: SourceLoc): Table {
    const cond = this.resolver().resolve(predicate);
    if (cond.type.name !== 'BOOLEAN') {
      throw new CompileError(`a filter must be BOOLEAN, got ${typeToString(cond.type)}`, predicate.loc ?? loc);
    }
    return this.derive(this.env.plan.calc(this.node, identity(this.node.schema), cond, loc));
  }

  groupBy(...keys: ExpressionLike[]): GroupedTable {
    return new GroupedTable(this, keys.map(toNode), undefined, callerLoc());
  }

  window(w: GroupWindow): GroupWindowedTable {
    return new GroupWindowedTable(this, w);
  }

  distinct(): Table {
    const loc = callerLoc();
    const cols: LExpr[] = this.node.schema.map((f) => ({ kind: 'ref', name: f.name }));
    return new GroupedTable(this, cols, undefined, loc).aggregate(cols, undefined, loc);
  }

  /** `loc` is for the SQL frontend (UNION ALL); Table API callers leave it to the call stack. */
  unionAll(other: Table, loc: SourceLoc | undefined = callerLoc()): Table {
    const a = this.node.schema;
    const b = other.node.schema;
    if (a.length !== b.length || a.some((f, i) => !assignable(b[i].type, f.type))) {
      throw new CompileError(`unionAll of tables with different schemas: (${a.map((f) => typeToString(f.type)).join(', ')}) and (${b.map((f) => typeToString(f.type)).join(', ')})`, loc);
    }
    const changelog = this.node.changelog === 'insert-only' && other.node.changelog === 'insert-only' ? 'insert-only' : 'retract';
    // Columns match by position and rows are read by name: the other input's columns take this one's names.
    const right = b.some((f, i) => f.name !== a[i].name)
      ? this.env.plan.calc(other.node, a.map((f, i) => ({ name: f.name, expr: { kind: 'field', name: b[i].name, type: b[i].type } })), null, loc)
      : other.node;
    // A column is NULL-able when it is in either input, as Flink's union types it.
    const schema = a.map((f, i) => (b[i].type.nullable && !f.type.nullable ? { ...f, type: withType(f.type, { nullable: true }) } : f));
    return this.derive(this.env.plan.add<UnionNode>({ kind: 'union', inputs: [this.node.id, right.id], schema, changelog, loc }));
  }

  /**
   * Flink's orderBy: columns or expressions, each ascending unless `.desc()`. A stream sorts only by an
   * ascending time attribute first, or with a fetch (a Top-N); a batch sorts anything (docs/sql.md).
   */
  orderBy(...fields: (ExpressionLike | Ordering)[]): Table {
    const loc = callerLoc();
    const names = this.node.schema.map((f) => f.name);
    const hidden: LExpr[] = [];
    const keys = fields.map((f): SortKey => {
      const item = isOrdering(f) ? f : { expr: toNode(f), desc: false };
      const e = stripAlias(item.expr);
      // Flink's default: NULLs are the smallest values (first ascending, last descending).
      const key = (column: string): SortKey => ({ column, desc: item.desc, nullsFirst: !item.desc });
      if (e.kind === 'ref' && names.includes(e.name)) return key(e.name);
      // An expression: computed as a hidden column for the sort and dropped after it (as the SQL frontend does).
      hidden.push({ kind: 'alias', expr: e, name: `$sort${hidden.length}`, loc: e.loc ?? loc });
      return key(`$sort${hidden.length - 1}`);
    });
    const input = hidden.length ? this.project([{ kind: 'star' }, ...hidden], loc) : this;
    return sorted({ input, keys, names: hidden.length ? names : null, offset: null, fetch: null, loc });
  }

  /** Flink's offset(n): skips the first n rows of a sort (an orderBy, or none); before fetch(). */
  offset(offset: number): Table {
    const loc = callerLoc();
    const spec = this.sortSpec(loc);
    if (spec.fetch !== null) throw new CompileError('FETCH is already defined.', loc, 'call offset() before fetch(), or limit(offset, fetch)');
    if (!Number.isInteger(offset) || offset < 0) throw new CompileError('Offset should be greater or equal 0', loc);
    if (spec.offset !== null) throw new CompileError('OFFSET already defined', loc);
    return sorted({ ...spec, offset, loc });
  }

  /** Flink's fetch(n): keeps the first n rows of a sort (an orderBy, or none), after its offset. */
  fetch(fetch: number): Table {
    const loc = callerLoc();
    const spec = this.sortSpec(loc);
    if (spec.fetch !== null) throw new CompileError('FETCH is already defined.', loc);
    if (!Number.isInteger(fetch) || fetch < 0) throw new CompileError('Fetch should be greater or equal 0', loc);
    return sorted({ ...spec, fetch, loc });
  }

  /** Flink's limit(fetch) and limit(offset, fetch): fetch(), or offset() then fetch(). */
  limit(offsetOrFetch: number, fetch?: number): Table {
    return fetch === undefined ? this.fetch(offsetOrFetch) : this.offset(offsetOrFetch).fetch(fetch);
  }

  private sortSpec(loc: SourceLoc | undefined): SortSpec {
    return SORTS.get(this) ?? { input: this, keys: [], names: null, offset: null, fetch: null, loc };
  }

  /** Inner join; without a condition, a cross join that a following where() restricts (Flink's join(right).where(...)). */
  join(right: Table, condition?: ExpressionLike): Table {
    return this.joinWith('inner', right, condition === undefined ? null : toNode(condition), undefined, callerLoc());
  }

  leftOuterJoin(right: Table, condition?: ExpressionLike): Table {
    return this.joinWith('left', right, condition === undefined ? null : toNode(condition), undefined, callerLoc());
  }

  rightOuterJoin(right: Table, condition: ExpressionLike): Table {
    return this.joinWith('right', right, toNode(condition), undefined, callerLoc());
  }

  fullOuterJoin(right: Table, condition: ExpressionLike): Table {
    return this.joinWith('full', right, toNode(condition), undefined, callerLoc());
  }

  /**
   * A regular join (frontend/lower-join.ts). SQL passes the right side's output names (colliding names get a
   * number, as in Flink SQL); the Table API passes none and, as Flink's, refuses inputs that share a name.
   */
  joinWith(type: JoinType, right: Table, condition: LExpr | null, rightNames: string[] | undefined, loc: SourceLoc | undefined): Table {
    if (!rightNames) {
      const both = ambiguousNames(this.node.schema, right.node.schema);
      if (both.length) {
        throw new CompileError(`both tables of the join have the column(s) ${both.join(', ')}`, loc,
          `rename them on one side first: right.renameColumns($('${both[0]}').as('${both[0]}_r'))`);
      }
    }
    const names = rightNames ?? right.node.schema.map((f) => f.name);
    return this.derive(lowerJoin(this.env.plan, this.env.functions, { left: this.node, right: right.node, joinType: type, condition, rightNames: names, loc }));
  }

  /** A lookup join of this table with a looked-up table's scan (SQL's FOR SYSTEM_TIME AS OF; frontend/lower-lookup-join.ts). */
  lookupJoinWith(type: 'inner' | 'left', table: Table, condition: LExpr | null, rightNames: string[], loc: SourceLoc | undefined): Table {
    return this.derive(lowerLookupJoin(this.env.plan, this.env.functions, { left: this.node, table: table.node, joinType: type, condition, rightNames, loc }));
  }

  /** Each row joined with the elements of UNNEST(arg) (SQL's CROSS JOIN UNNEST; frontend/lower-correlate.ts). */
  unnestWith(type: 'inner' | 'left', arg: LExpr, columns: string[] | undefined, loc: SourceLoc | undefined): Table {
    return this.derive(lowerUnnest(this.env.plan, this.env.functions, { left: this.node, joinType: type, arg, columns, loc }));
  }

  /**
   * Each row joined with the rows of a table function (`@udtf`) of its columns, as Flink's joinLateral (SQL's
   * `CROSS JOIN LATERAL TABLE(f(...))`): `t.joinLateral(call('split', $('line')).as('word', 'length'))`. A
   * condition keeps the pairs it is true for.
   */
  joinLateral(tableFunctionCall: ExpressionLike, condition?: ExpressionLike): Table {
    const loc = callerLoc();
    const joined = this.lateral('inner', toNode(tableFunctionCall), loc);
    return condition === undefined ? joined : joined.filterBy(toNode(condition), loc);
  }

  /** As joinLateral, and a row whose call gives no rows stays, with NULLs (SQL's `LEFT JOIN LATERAL TABLE(...) ON TRUE`). */
  leftOuterJoinLateral(tableFunctionCall: ExpressionLike, condition?: ExpressionLike): Table {
    const loc = callerLoc();
    const c = condition === undefined ? undefined : stripAlias(toNode(condition));
    if (c && !(c.kind === 'lit' && c.value === true)) {
      throw new CompileError('the condition of leftOuterJoinLateral can only be TRUE, as in Flink', c.loc ?? loc, 'filter the joined rows with where(...) after it, or use joinLateral(call, condition)');
    }
    return this.lateral('left', toNode(tableFunctionCall), loc);
  }

  /** A table function call, with its columns' names when aliased (`.as('word', 'length')`): SQL's LATERAL TABLE too. */
  lateral(type: 'inner' | 'left', fnCall: LExpr, loc: SourceLoc | undefined): Table {
    const columns = fnCall.kind === 'alias' ? fnCall.names ?? [fnCall.name] : undefined;
    const call = stripAlias(fnCall);
    if (call.kind !== 'call') {
      throw new CompileError('a lateral join takes a table function call', call.loc ?? loc, "joinLateral(call('split_words', $('line')).as('word', 'length'))");
    }
    return this.derive(lowerTableFunction(this.env.plan, this.env.functions, { left: this.node, joinType: type, call, columns, loc: call.loc ?? loc }));
  }

  /** Writes this table into a registered sink table. Inside a job it joins the job; standalone, await() runs it. */
  executeInsert(table: string): TableResult {
    return this.env.insertInto(table, this, callerLoc());
  }

  /** Runs the query: print() writes the changelog to stdout, collect() gathers rows (bounded inputs). */
  execute(): TableResult {
    return this.env.executeTable(this, callerLoc());
  }

  explain(): string {
    return this.env.explainTable(this);
  }

  /** The rows of a bounded query, in-process (standalone environments; tests). */
  async collect(): Promise<Row[]> {
    return this.execute().collect();
  }

  private derive(node: PlanNode): Table {
    return new Table(this.env, node);
  }

  private resolver(): Resolver {
    return new Resolver(this.node.schema, this.env.functions);
  }

  private expandStar(fields: LExpr[]): LExpr[] {
    return fields.flatMap((f) => (f.kind === 'star' ? this.node.schema.map((c) => ({ kind: 'ref', name: c.name }) as LExpr) : [f]));
  }
}

/** What orderBy/offset/fetch have said so far: a later offset() or fetch() makes a new sort of the same input. */
interface SortSpec {
  /** The table sorted: the receiver of orderBy, with the hidden columns of expression keys. */
  input: Table;
  keys: SortKey[];
  /** The columns kept after the sort when hidden columns are dropped; null: all. */
  names: string[] | null;
  offset: number | null;
  fetch: number | null;
  loc: SourceLoc | undefined;
}

const SORTS = new WeakMap<Table, SortSpec>();

function sorted(spec: SortSpec): Table {
  const sort = new Table(spec.input.env, lowerSort(spec.input.env.plan, spec.input.node, spec.keys, spec.offset ?? 0, spec.fetch, spec.loc));
  const out = spec.names ? sort.project(spec.names.map((name): LExpr => ({ kind: 'ref', name })), spec.loc) : sort;
  SORTS.set(out, spec);
  return out;
}

export class GroupedTable {
  constructor(private readonly table: Table, private readonly keys: LExpr[], private readonly window: GroupWindow | undefined, private readonly loc?: SourceLoc) {}

  select(...fields: ExpressionLike[]): Table {
    return this.aggregate(fields.map(toNode), undefined, callerLoc());
  }

  /** Select with an optional HAVING condition; SQL lowering uses it. */
  aggregate(select: LExpr[], having: LExpr | undefined, loc?: SourceLoc): Table {
    const t = this.table;
    const items = select.flatMap((f) => (f.kind === 'star' ? t.node.schema.map((c) => ({ kind: 'ref', name: c.name }) as LExpr) : [f]));
    const node = lowerAggregate(t.env.plan, t.env.functions, {
      input: t.node, keys: this.keys, select: items, having, loc: loc ?? this.loc, window: this.window?.def,
    });
    checkUniqueNames(node.schema.map((f) => f.name), loc);
    return new Table(t.env, node);
  }
}

export class GroupWindowedTable {
  constructor(private readonly table: Table, private readonly w: GroupWindow) {}

  groupBy(...keys: ExpressionLike[]): GroupedTable {
    return new GroupedTable(this.table, keys.map(toNode), this.w, callerLoc());
  }
}

function checkUniqueNames(names: string[], loc?: SourceLoc): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new CompileError(`duplicate column name '${n}' in the select list`, loc, `rename one with .as('...')`);
    seen.add(n);
  }
}
