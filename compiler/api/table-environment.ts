// Flink's TableEnvironment, the job's entry point: DDL registers tables (table-catalog.ts), from() and
// sqlQuery() start queries, executeInsert() adds sinks to the plan. Inside a job (defineJob) the whole plan
// is compiled after the body returns; a standalone environment (TableEnvironment.create(), for tests and
// scripts) runs queries in-process on request (table-results.ts).
import type { JobPlan, SourceLoc, SourceNode } from '../../runtime/core/plan.js';
import type { TableDef } from '../ir/catalog.js';
import { PlanBuilder } from '../ir/plan-builder.js';
import { callerLoc } from '../ir/source-loc.js';
import { executeSqlStatements, parseSqlQuery } from '../frontend/sql/index.js';
import { addSinkNode } from '../frontend/sink-node.js';
import { sourceOf } from '../frontend/source-node.js';
import { explainTable } from './explain-table.js';
import { FunctionRegistry } from './function-registry.js';
import { StatementSet } from './statement-set.js';
import { Table, type TableResult } from './table.js';
import { TableCatalog } from './table-catalog.js';
import { TableConfig } from './table-config.js';
import { queryResult, statementResult } from './table-results.js';

export interface EnvironmentOptions {
  /** UDF signatures read from udfs/ (and the job) at compile time. */
  functions?: FunctionRegistry;
  /** True inside defineJob: inserts join one job instead of running. */
  inJob?: boolean;
}

export class TableEnvironment {
  readonly plan = new PlanBuilder();
  readonly functions: FunctionRegistry;
  readonly inJob: boolean;
  /** Sinks a standalone environment has already run. */
  readonly executedSinks = new Set<string>();
  private readonly config = new TableConfig();
  private readonly catalog = new TableCatalog();
  /** One source node per table, however often it is read. */
  private readonly sources = new Map<string, SourceNode>();

  constructor(options: EnvironmentOptions = {}) {
    this.functions = options.functions ?? new FunctionRegistry();
    this.inJob = options.inJob ?? false;
  }

  /** A standalone environment, as Flink's TableEnvironment.create(settings). */
  static create(options: EnvironmentOptions = {}): TableEnvironment {
    return new TableEnvironment(options);
  }

  getConfig(): TableConfig {
    return this.config;
  }

  /** CREATE TABLE / CREATE VIEW / DROP TABLE / INSERT INTO ... SELECT / SELECT (one or more statements). */
  executeSql(sql: string): TableResult {
    const table = executeSqlStatements(this, sql, callerLoc());
    return table ? table.execute() : statementResult(this);
  }

  sqlQuery(sql: string): Table {
    return parseSqlQuery(this, sql, callerLoc());
  }

  /** Registers a table from DDL (the SQL frontend calls this). */
  registerTable(def: TableDef): void {
    this.catalog.register(def);
  }

  dropTable(name: string, ifExists: boolean, loc?: SourceLoc): void {
    this.catalog.drop(name, ifExists, loc);
  }

  tableDef(name: string): TableDef | undefined {
    return this.catalog.table(name);
  }

  /** A sink table's definition; a CompileError naming the nearest table when there is none. */
  sinkTableDef(name: string, loc?: SourceLoc): TableDef {
    return this.catalog.sinkTable(name, loc);
  }

  /** Several INSERTs as one job sharing their sources (Flink's StatementSet). */
  createStatementSet(): StatementSet {
    return new StatementSet(this);
  }

  createTemporaryView(name: string, table: Table): void {
    this.catalog.createView(name, table);
  }

  /** A scalar function (udf), a table or aggregate function class (@udtf, @udaf) or generator function (udtf), under a job's name for it. */
  createTemporarySystemFunction(name: string, fn: ((...args: any[]) => unknown) | (new () => unknown)): void {
    this.functions.registerTemporary(name, fn, callerLoc());
  }

  from(path: string): Table {
    return this.scan(path, callerLoc());
  }

  /** A table or view by name (the SQL frontend calls this with the location of the name). */
  scan(path: string, loc?: SourceLoc): Table {
    const found = this.catalog.lookup(path, loc);
    if ('view' in found) return found.view;
    let node = this.sources.get(path);
    if (!node) {
      node = this.plan.add<SourceNode>({ kind: 'source', ...sourceOf(found.def, this.functions), loc: found.def.loc });
      this.sources.set(path, node);
    }
    return new Table(this, node);
  }

  insertInto(tableName: string, t: Table, loc?: SourceLoc): TableResult {
    addSinkNode(this.plan, this.functions, this.catalog.sinkTable(tableName, loc), t.node, loc);
    return queryResult(this, t, undefined);
  }

  executeTable(t: Table, loc?: SourceLoc): TableResult {
    return queryResult(this, t, loc);
  }

  explainTable(t: Table): string {
    return explainTable(this.plan, this.config.values, t);
  }

  /** The plan as built, before passes. */
  buildPlan(name: string, args: string[]): JobPlan {
    // As in Flink, `pipeline.name` names the job in place of the name it was defined with.
    return { name: this.config.values['pipeline.name'] ?? name, args, config: { ...this.config.values }, nodes: [...this.plan.nodes], udfs: [] };
  }
}
