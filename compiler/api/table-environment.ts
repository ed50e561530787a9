// Flink's TableEnvironment, building a plan: DDL registers tables, from() adds sources, executeInsert()
// adds sinks. Inside a job (defineJob) the whole plan is compiled after the body returns; a standalone
// environment (TableEnvironment.create(), for tests and scripts) runs queries in-process on request.
import { DataTypes, withType, type Field } from '../../runtime/core/data-types.js';
import type { Row } from '../../runtime/core/row.js';
import { RowKind } from '../../runtime/core/row.js';
import { inputsOf, type JobPlan, type PlanNode, type SinkNode, type SourceLoc, type SourceNode } from '../../runtime/core/plan.js';
import { emitStages, withCodeSizes } from '../codegen/emit-stages.js';
import { explainPlan } from '../ir/explain.js';
import { optimize } from '../passes/index.js';
import { udfRegistry } from '../../runtime/core/udf.js';
import { CompileError } from '../ir/diagnostics.js';
import type { TableDef } from '../ir/catalog.js';
import { PlanBuilder } from '../ir/plan-builder.js';
import { callerLoc } from '../ir/source-loc.js';
import { nearest } from '../../runtime/core/options.js';
import { producedChangelog } from '../../runtime/connectors/check-table.js';
import { findConnector } from '../../runtime/connectors/registry.js';
import { blackhole } from '../../runtime/connectors/blackhole/connector.js';
import { collect } from '../../runtime/connectors/collect/connector.js';
import { print } from '../../runtime/connectors/print/connector.js';
import { Resolver, assignable, type FunctionCatalog, type UdfSignature } from '../frontend/resolve.js';
import { executeSqlStatements, parseSqlQuery } from '../frontend/sql/index.js';
import { Table, type TableResult } from './table.js';
import { FunctionRegistry } from './function-registry.js';
import { TableConfig } from './table-config.js';
import { sourceOf } from '../frontend/source-node.js';
import { addSinkNode } from '../frontend/sink-node.js';

export interface EnvironmentOptions {
  /** UDF signatures read from udfs/ (and the job) at compile time. */
  functions?: FunctionCatalog;
  /** True inside defineJob: inserts join one job instead of running. */
  inJob?: boolean;
}

export class TableEnvironment {
  readonly plan = new PlanBuilder();
  readonly functions: FunctionRegistry;
  private readonly config = new TableConfig();
  private readonly tables = new Map<string, TableDef>();
  private readonly views = new Map<string, Table>();
  private readonly sources = new Map<string, SourceNode>();
  private readonly inJob: boolean;
  /** Sinks a standalone environment has already run. */
  readonly executedSinks = new Set<string>();
  /** Functions registered for this job only (createTemporarySystemFunction): their name here → the name udf()/@udf gave them. */
  readonly temporaryFunctions = new Map<string, string>();

  constructor(options: EnvironmentOptions = {}) {
    this.functions = options.functions instanceof FunctionRegistry ? options.functions : new FunctionRegistry();
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
    const loc = callerLoc();
    const table = executeSqlStatements(this, sql, loc);
    if (table) return table.execute();
    // A statement's result is Flink's single 'OK' row.
    return { await: async () => this.runIfStandalone(), print: async () => { process.stdout.write('OK\n'); }, collect: async () => [{ result: 'OK' }], collectChangelog: async () => [{ kind: RowKind.INSERT, row: { result: 'OK' } }] };
  }

  sqlQuery(sql: string): Table {
    return parseSqlQuery(this, sql, callerLoc());
  }

  /** Registers a table from DDL (the SQL frontend calls this). */
  registerTable(def: TableDef): void {
    if (this.tables.has(def.name) || this.views.has(def.name)) {
      throw new CompileError(`table '${def.name}' is already defined`, def.loc, 'use another name, or DROP TABLE it first');
    }
    this.tables.set(def.name, def);
  }

  dropTable(name: string, ifExists: boolean, loc?: SourceLoc): void {
    if (!this.tables.delete(name) && !this.views.delete(name) && !ifExists) {
      throw new CompileError(`table '${name}' does not exist`, loc);
    }
  }

  tableDef(name: string): TableDef | undefined {
    return this.tables.get(name);
  }

  createTemporaryView(name: string, table: Table): void {
    this.views.set(name, table);
  }

  createTemporarySystemFunction(name: string, fn: (...args: any[]) => unknown): void {
    const loc = callerLoc();
    const known = [...udfRegistry().values()].find((u) => u.fn === fn);
    if (!known) {
      throw new CompileError(`cannot register function '${name}': it is not a UDF`, loc,
        `wrap it with udf(): const ${name} = udf((x: number): string => ..., { name: '${name}' }) (in the job file or in udfs/)`);
    }
    const sig = this.functions.udf(known.name);
    if (!sig) {
      throw new CompileError(`cannot type function '${name}': its module is neither the job file nor in udfs/, where signatures are read`, loc,
        `declare it in the job file or in udfs/, or give explicit types: udf(fn, { inputTypes: [DataTypes.INT()], resultType: DataTypes.STRING() })`);
    }
    this.functions.add({ ...sig, name });
    udfRegistry().set(name, { ...known, name });
    this.temporaryFunctions.set(name, known.name);
  }

  from(path: string): Table {
    return this.scan(path, callerLoc());
  }

  /** A table or view by name (the SQL frontend calls this with the location of the name). */
  scan(path: string, loc?: SourceLoc): Table {
    const view = this.views.get(path);
    if (view) return view;
    const def = this.tables.get(path);
    if (!def) {
      const names = [...this.tables.keys(), ...this.views.keys()];
      const near = nearest(path, names);
      throw new CompileError(`table '${path}' is not defined`, loc,
        near ? `did you mean '${near}'?` : names.length ? `defined tables: ${names.join(', ')}` : 'declare it with executeSql(`CREATE TABLE ...`)');
    }
    let node = this.sources.get(path);
    if (!node) {
      node = this.plan.add<SourceNode>({ kind: 'source', ...sourceOf(def, this.functions), loc: def.loc });
      this.sources.set(path, node);
    }
    return new Table(this, node);
  }

  insertInto(tableName: string, t: Table, loc?: SourceLoc): TableResult {
    const def = this.tables.get(tableName);
    if (!def) {
      const near = nearest(tableName, [...this.tables.keys()]);
      throw new CompileError(`sink table '${tableName}' is not defined`, loc, near ? `did you mean '${near}'?` : 'declare it with CREATE TABLE');
    }
    this.addSink(def, t, loc);
    return this.result(t, undefined);
  }

  executeTable(t: Table, loc?: SourceLoc): TableResult {
    return this.result(t, loc);
  }

  /** Flink's Table.explain(): the plan of this query as if it were written to a sink, optimized and fused. */
  explainTable(t: Table): string {
    const upstream = new Set<string>();
    const visit = (id: string) => { if (!upstream.has(id)) { upstream.add(id); inputsOf(this.plan.node(id)).forEach(visit); } };
    visit(t.node.id);
    const sink: SinkNode = {
      kind: 'sink', id: 'explain', input: t.node.id, table: '<explain>', connector: blackhole.name, options: { connector: blackhole.name },
      primaryKey: [], schema: t.node.schema, changelog: t.node.changelog,
    };
    const logical: JobPlan = { name: 'explain', args: [], config: { ...this.config.values }, nodes: [...this.plan.nodes.filter((n) => upstream.has(n.id)), sink], udfs: [] };
    const optimized = optimize(logical);
    return explainPlan(logical, withCodeSizes(optimized, emitStages(optimized).stageSizes));
  }

  /** The plan as built, before passes. */
  buildPlan(name: string, args: string[]): JobPlan {
    // As in Flink, `pipeline.name` names the job in place of the name it was defined with.
    return { name: this.config.values['pipeline.name'] ?? name, args, config: { ...this.config.values }, nodes: [...this.plan.nodes], udfs: [] };
  }

  private addSink(def: TableDef, t: Table, loc?: SourceLoc): SinkNode {
    return addSinkNode(this.plan, this.functions, def, t.node, loc);
  }

  private result(t: Table, printLoc: SourceLoc | undefined): TableResult {
    const run = async (collectId?: string) => {
      const { runStandalone } = await import('../run-standalone.js');
      return runStandalone(this, collectId);
    };
    const collectSink = (id: string) => {
      this.addSink({
        name: `collect_${id}`, columns: t.node.schema.map((f) => ({ kind: 'physical', name: f.name, type: withType(f.type, { timeAttribute: undefined }) })),
        watermark: null, primaryKey: t.node.upsertKey ?? [], options: { connector: collect.name, id },
      }, t, printLoc);
    };
    return {
      await: async () => { await this.runIfStandalone(); },
      print: async () => {
        this.addSink({
          name: `print_${this.plan.nodes.length}`, columns: t.node.schema.map((f) => ({ kind: 'physical', name: f.name, type: withType(f.type, { timeAttribute: undefined }) })),
          watermark: null, primaryKey: [], options: { connector: print.name },
        }, t, printLoc);
        await this.runIfStandalone();
      },
      collect: async () => {
        this.requireStandalone('collect()');
        const id = `c${this.plan.nodes.length}`;
        collectSink(id);
        return (await run(id)).rows;
      },
      collectChangelog: async () => {
        this.requireStandalone('collectChangelog()');
        const id = `c${this.plan.nodes.length}`;
        collectSink(id);
        return (await run(id)).changelog;
      },
    };
  }

  private async runIfStandalone(): Promise<void> {
    if (this.inJob) return;
    const { runStandalone } = await import('../run-standalone.js');
    await runStandalone(this);
  }

  private requireStandalone(what: string): void {
    if (this.inJob) throw new CompileError(`${what} is not available inside a job; write to a sink table`, callerLoc());
  }
}

