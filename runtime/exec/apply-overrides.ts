// Run-time configuration of a compiled plan: `--set <table>.<option>=<value>` changes a table's options
// (servers, topics; or swaps the connector, e.g. kafka → datagen, in which case the table keeps only the
// options given with --set), and `-D key=value` sets Flink-style configuration. The changed tables are checked
// here exactly as the compiler checks the DDL, since the compiler saw only the original options.
import { connectorFor, isProblem, optionProblem, sinkChangelogProblem } from '../connectors/check-table.js';
import { UserError } from '../core/errors.js';
import type { JobPlan, PlanNode } from '../core/plan.js';
import { runtimeMode } from './runtime-mode.js';

export interface Overrides {
  sets?: string[];
  defines?: string[];
}

export function applyOverrides(plan: JobPlan, overrides: Overrides): JobPlan {
  const byTable = new Map<string, Record<string, string>>();
  for (const s of overrides.sets ?? []) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(s);
    if (!m) throw new UserError(`--set ${s}: expected <table>.<option>=<value>`, `e.g. --set transactions.connector=datagen`);
    const opts = byTable.get(m[1]) ?? {};
    opts[m[2]] = m[3];
    byTable.set(m[1], opts);
  }
  const tables = new Set(plan.nodes.flatMap((n) => (n.kind === 'source' || n.kind === 'sink' ? [n.table] : [])));
  for (const t of byTable.keys()) {
    if (!tables.has(t)) throw new UserError(`--set: the job has no table '${t}'`, `its tables: ${[...tables].join(', ')}`);
  }
  const config = { ...plan.config, ...definedConfig(overrides.defines ?? []) };
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const nodes = plan.nodes.map((n): PlanNode => {
    if ((n.kind !== 'source' && n.kind !== 'sink') || !byTable.has(n.table)) return n;
    const set = byTable.get(n.table)!;
    const swapped = set.connector !== undefined && set.connector !== n.connector;
    const options = swapped ? { ...set } : { ...n.options, ...set };
    // The same checks, in the same words, as the compiler's on the DDL (runtime/connectors/check-table.ts).
    const c = connectorFor(n.table, options.connector, n.kind);
    if (isProblem(c)) throw new UserError(c.message, c.hint);
    const table = { table: n.table, declared: n.kind === 'source' ? n.declared : n.schema, primaryKey: n.kind === 'sink' ? n.primaryKey : n.upsertKey ?? [], options };
    // A source swapped to one producing updates (upsert-kafka) fails here on its missing primary key: a source
    // table keeps the changelog it was compiled for.
    // A batch run's output is insert-only whatever the query (runtime-mode.ts).
    const problem = optionProblem(c, table, n.kind) ?? (n.kind === 'sink' && runtimeMode(config) !== 'batch' ? sinkChangelogProblem(c, n, byId.get(n.input)!) : null);
    if (problem) throw new UserError(problem.message, problem.hint);
    return { ...n, connector: c.name, options };
  });
  return { ...plan, nodes, config };
}

/** `-D key=value` options as configuration entries (the compiler takes them too: the runtime mode shapes its checks). */
export function definedConfig(defines: readonly string[]): Record<string, string> {
  const config: Record<string, string> = {};
  for (const d of defines) {
    const eq = d.indexOf('=');
    if (eq <= 0) throw new UserError(`-D ${d}: expected key=value`);
    config[d.slice(0, eq)] = d.slice(eq + 1);
  }
  return config;
}
