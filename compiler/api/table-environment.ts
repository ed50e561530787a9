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
import { Table } from './table.js';

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

export interface EnvironmentOptions {
  /** UDF signatures read from udfs/ (and the job) at compile time. */
  functions?: FunctionCatalog;
  /** True inside defineJob: inserts join one job instead of running. */
  inJob?: boolean;
}

export class TableConfig {
  readonly values: Record<string, string> = {};
  set(key: string, value: string | number | boolean): TableConfig {
    this.values[key] = String(value);
    return this;
  }
  get(key: string, fallback?: string): string | undefined {
    return this.values[key] ?? fallback;
  }
}

/** Signatures of UDFs registered in this process with explicit types; read-udfs adds the typed-by-signature ones. */
export class FunctionRegistry implements FunctionCatalog {
  private readonly signatures = new Map<string, UdfSignature>();

  constructor(base: UdfSignature[] = []) {
    for (const s of base) this.signatures.set(s.name, s);
  }

  udf(name: string): UdfSignature | undefined {
    return this.signatures.get(name) ?? this.signatures.get(name.toLowerCase()) ?? this.fromRegistry(name);
  }

  udfNames(): string[] {
    return [...new Set([...this.signatures.keys(), ...udfRegistry().keys()])];
  }

  add(sig: UdfSignature): void {
    this.signatures.set(sig.name, sig);
  }

  private fromRegistry(name: string): UdfSignature | undefined {
    const u = udfRegistry().get(name);
    if (!u || !u.options.inputTypes || !u.options.resultType) return undefined;
    return { name, inputTypes: u.options.inputTypes, resultType: u.options.resultType };
  }
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
    const target = def.columns.filter((c) => c.kind === 'physical') as { name: string; type: Field['type'] }[];
    const got = t.node.schema;
    if (got.length !== target.length) {
      throw new CompileError(`query has ${got.length} column(s) (${got.map((f) => f.name).join(', ')}) but sink '${def.name}' has ${target.length} (${target.map((f) => f.name).join(', ')})`, loc,
        'select exactly the sink columns, in order');
    }
    got.forEach((f, i) => {
      if (!assignable(f.type, target[i].type)) {
        throw new CompileError(`column ${i + 1} '${f.name}' of the query has type ${f.type.name} but sink column '${target[i].name}' is ${target[i].type.name}`, loc,
          `cast it: $('${f.name}').cast(DataTypes.${target[i].type.name}())`);
      }
    });
    let input: PlanNode = t.node;
    if (got.some((f, i) => f.name !== target[i].name || f.type.name !== target[i].type.name)) {
      const r = new Resolver(got, this.functions);
      input = this.plan.calc(t.node, target.map((c, i) => {
        const e = r.resolve({ kind: 'ref', name: got[i].name });
        return { name: c.name, expr: e.type.name === c.type.name ? e : { kind: 'call', fn: 'cast', args: [e], type: c.type } };
      }), null, loc);
      if (t.node.upsertKey) (input as { upsertKey?: string[] }).upsertKey = t.node.upsertKey.map((k) => target[got.findIndex((f) => f.name === k)]?.name).filter(Boolean);
    }
    return this.plan.add<SinkNode>({
      kind: 'sink', input: input.id, table: def.name, connector: def.options.connector ?? '', options: def.options,
      primaryKey: def.primaryKey, schema: target.map((c) => ({ name: c.name, type: c.type })), changelog: input.changelog, loc, optionLocs: def.optionLocs,
    });
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

function sourceOf(def: TableDef, functions: FunctionCatalog): Omit<SourceNode, 'id' | 'kind' | 'loc'> {
  const schema: Field[] = [];
  const physical: Field[] = [];
  const computed: SourceNode['computed'] = [];
  let proctime: string | null = null;
  for (const c of def.columns) {
    if (c.kind === 'physical') {
      physical.push({ name: c.name, type: c.type });
      schema.push({ name: c.name, type: c.type });
    } else if (c.kind === 'proctime') {
      proctime = c.name;
      schema.push({ name: c.name, type: withType(DataTypes.TIMESTAMP_LTZ(3).notNull!(), { timeAttribute: 'proctime' }) });
    } else {
      const expr = new Resolver(schema, functions, `table '${def.name}'`).resolve(c.expr);
      computed.push({ name: c.name, expr });
      schema.push({ name: c.name, type: expr.type });
    }
  }
  if (def.watermark) {
    const i = schema.findIndex((f) => f.name === def.watermark!.column);
    if (i < 0) throw new CompileError(`WATERMARK FOR '${def.watermark.column}': no such column in '${def.name}'`, def.watermark.loc ?? def.loc);
    if (!['TIMESTAMP', 'TIMESTAMP_LTZ'].includes(schema[i].type.name)) {
      throw new CompileError(`WATERMARK FOR '${def.watermark.column}': the column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), not ${schema[i].type.name}`, def.watermark.loc ?? def.loc);
    }
    schema[i] = { name: schema[i].name, type: withType(schema[i].type, { timeAttribute: 'rowtime' }) };
  }
  // As the connector declares (an unknown one is reported by validate-connectors).
  const known = findConnector(def.options.connector ?? '');
  const produces = known ? producedChangelog(known) : 'insert-only';
  return {
    table: def.name, connector: def.options.connector ?? '', options: def.options, declared: [...physical], physical, computed,
    watermark: def.watermark ? { column: def.watermark.column, delayMs: def.watermark.delayMs } : null,
    proctime, schema, changelog: produces, optionLocs: def.optionLocs,
    upsertKey: produces === 'upsert' ? def.primaryKey : undefined,
  };
}
