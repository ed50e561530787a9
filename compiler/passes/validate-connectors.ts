// Checks every source and sink against its connector: the connector exists and can play the role, and
// the WITH options are known and valid. The check is the connector's own (runtime/connectors/check-table.ts),
// shared with the run-time overrides; here it gains a source location, since a bad option would otherwise
// surface only when the job starts, far from its cause.
import { connectorFor, isProblem, optionProblem } from '../../runtime/connectors/check-table.js';
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
  const c = connectorFor(n.table, n.connector, role);
  const problem = isProblem(c) ? c : optionProblem(c, {
    table: n.table, declared: n.kind === 'source' ? n.declared : n.schema, primaryKey: n.kind === 'sink' ? n.primaryKey : n.upsertKey ?? [], options: n.options,
  }, role);
  if (problem) throw new CompileError(problem.message, at(problem.option), problem.hint);
}
