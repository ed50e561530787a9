// What executing a query or a statement returns (Flink's TableResult). Inside a job, print() adds a print
// sink and the job runs after its body; in a standalone environment the query runs in this process
// (compiler/run-standalone.ts) for await(), print(), collect() and collectChangelog().
import { withType } from '../../runtime/core/data-types.js';
import type { SourceLoc } from '../../runtime/core/plan.js';
import { RowKind } from '../../runtime/core/row.js';
import { collect } from '../../runtime/connectors/collect/connector.js';
import { print } from '../../runtime/connectors/print/connector.js';
import type { TableDef } from '../ir/catalog.js';
import { CompileError } from '../ir/diagnostics.js';
import type { PlanBuilder } from '../ir/plan-builder.js';
import { callerLoc } from '../ir/source-loc.js';
import type { FunctionCatalog } from '../frontend/resolve.js';
import { addSinkNode } from '../frontend/sink-node.js';
import type { StandaloneEnvironment } from '../run-standalone.js';
import type { Table, TableResult } from './table.js';

/** What a result needs from its environment (TableEnvironment implements it). */
export interface ResultEnvironment extends StandaloneEnvironment {
  readonly plan: PlanBuilder;
  readonly functions: FunctionCatalog;
  /** Inside defineJob: nothing runs here, the job runs after its body. */
  readonly inJob: boolean;
}

/** The result of a query `t` (Table.execute(), or an insert whose sink the plan has already). */
export function queryResult(env: ResultEnvironment, t: Table, printLoc: SourceLoc | undefined): TableResult {
  // print() and collect() write to a sink of the query's own columns, made for them.
  const addSink = (name: string, options: Record<string, string>, primaryKey: string[]) => addSinkNode(env.plan, env.functions, {
    name, columns: t.node.schema.map((f) => ({ kind: 'physical', name: f.name, type: withType(f.type, { timeAttribute: undefined }) })),
    watermark: null, primaryKey, options,
  } satisfies TableDef, t.node, printLoc);
  const collected = async (what: string) => {
    if (env.inJob) throw new CompileError(`${what} is not available inside a job; write to a sink table`, callerLoc());
    const id = `c${env.plan.nodes.length}`;
    addSink(`collect_${id}`, { connector: collect.name, id }, t.node.upsertKey ?? []);
    const { runStandalone } = await import('../run-standalone.js');
    return runStandalone(env, id);
  };
  return {
    await: () => runIfStandalone(env),
    print: async () => {
      addSink(`print_${env.plan.nodes.length}`, { connector: print.name }, []);
      await runIfStandalone(env);
    },
    collect: async () => (await collected('collect()')).rows,
    collectChangelog: async () => (await collected('collectChangelog()')).changelog,
  };
}

/** The result of a statement (DDL, SET, an insert run later): Flink's single 'OK' row. */
export function statementResult(env: ResultEnvironment): TableResult {
  return {
    await: () => runIfStandalone(env),
    print: async () => { process.stdout.write('OK\n'); },
    collect: async () => [{ result: 'OK' }],
    collectChangelog: async () => [{ kind: RowKind.INSERT, row: { result: 'OK' } }],
  };
}

/** A standalone environment runs the inserts it has not run yet; inside a job this waits for nothing. */
async function runIfStandalone(env: ResultEnvironment): Promise<void> {
  if (env.inJob) return;
  const { runStandalone } = await import('../run-standalone.js');
  await runStandalone(env);
}
