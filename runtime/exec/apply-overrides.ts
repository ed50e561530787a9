// Run-time configuration of a compiled plan: `--set <table>.<option>=<value>` changes a table's options
// (servers, topics; or swaps the connector, e.g. kafka → datagen, in which case the table keeps only the
// options given with --set), and `-D key=value` sets Flink-style configuration. Options are validated against
// the (new) connector's schema here, since the compiler saw only the original ones.
import { findConnector } from '../connectors/registry.js';
import { UserError } from '../core/errors.js';
import { validateOptions } from '../core/options.js';
import type { JobPlan, PlanNode } from '../core/plan.js';

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
  const config = { ...plan.config };
  for (const d of overrides.defines ?? []) {
    const eq = d.indexOf('=');
    if (eq <= 0) throw new UserError(`-D ${d}: expected key=value`);
    config[d.slice(0, eq)] = d.slice(eq + 1);
  }
  const nodes = plan.nodes.map((n): PlanNode => {
    if ((n.kind !== 'source' && n.kind !== 'sink') || !byTable.has(n.table)) return n;
    const set = byTable.get(n.table)!;
    const swapped = set.connector !== undefined && set.connector !== n.connector;
    const options = swapped ? { ...set } : { ...n.options, ...set };
    const connector = options.connector;
    const c = findConnector(connector);
    if (!c) throw new UserError(`--set ${n.table}.connector=${connector}: unknown connector`);
    if (!c.roles.includes(n.kind)) throw new UserError(`--set ${n.table}.connector=${connector}: it cannot be a ${n.kind}`);
    const problems = validateOptions(c.options, options);
    if (problems.length) throw new UserError(`table '${n.table}' (connector '${connector}'): ${problems[0].message}`, problems[0].hint);
    return { ...n, connector, options };
  });
  return { ...plan, nodes, config };
}
