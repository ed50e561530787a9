// Checks every source and sink against its connector: the connector exists and can play the role, and
// the WITH options are known and valid (the connector's own zod schema, shared with the runtime).
// Rules hold because a bad option would otherwise surface only when the job starts, far from its cause.
import { findConnector, connectors } from '../../runtime/connectors/registry.js';
import { nearest, validateOptions } from '../../runtime/core/options.js';
import type { JobPlan, SinkNode, SourceNode } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';

export function validateConnectors(plan: JobPlan): JobPlan {
  for (const n of plan.nodes) {
    if (n.kind === 'source') check(n, 'source');
    if (n.kind === 'sink') check(n, 'sink');
  }
  return plan;
}

function check(n: SourceNode | SinkNode, role: 'source' | 'sink'): void {
  const at = (option: string) => n.optionLocs?.[option] ?? n.loc;
  if (!n.connector) {
    throw new CompileError(`table '${n.table}' has no 'connector' option`, n.loc, `add WITH ('connector' = '...'); available: ${[...connectors.keys()].join(', ')}`);
  }
  const c = findConnector(n.connector);
  if (!c) {
    const near = nearest(n.connector, [...connectors.keys()]);
    throw new CompileError(`table '${n.table}': unknown connector '${n.connector}'`, at('connector'),
      near ? `did you mean '${near}'? available: ${[...connectors.keys()].join(', ')}` : `available connectors: ${[...connectors.keys()].join(', ')}`);
  }
  if (!c.roles.includes(role)) {
    throw new CompileError(`table '${n.table}': connector '${n.connector}' cannot be used as a ${role}`, at('connector'),
      `connectors that can: ${[...connectors.values()].filter((x) => x.roles.includes(role)).map((x) => x.name).join(', ')}`);
  }
  const declared = n.kind === 'source' ? n.declared : n.schema;
  const problems = [
    ...validateOptions(c.options, n.options),
    ...(c.validate?.({ table: n.table, declared, primaryKey: n.kind === 'sink' ? n.primaryKey : n.upsertKey ?? [], options: n.options }, role) ?? []),
  ];
  if (problems.length) {
    const p = problems[0];
    throw new CompileError(`table '${n.table}' (connector '${n.connector}'): ${p.message}`, at(p.option), p.hint);
  }
}
