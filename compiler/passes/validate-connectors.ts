// Checks every source, sink and looked-up table against its connector (tables that reach no sink are
// dropped first, so a table only looked up is not checked as a source): the connector exists and can play the role, and
// the WITH options are known and valid. The check is the connector's own (runtime/connectors/check-table.ts),
// shared with the run-time overrides; here it gains a source location, since a bad option would otherwise
// surface only when the job starts, far from its cause.
import { connectorFor, isProblem, optionProblem } from '../../runtime/connectors/check-table.js';
import type { ConnectorRole } from '../../runtime/core/connector.js';
import type { JobPlan, LookupJoinNode, SinkNode, SourceNode } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';

export function validateConnectors(plan: JobPlan): JobPlan {
  for (const n of plan.nodes) {
    if (n.kind === 'source') check(n, 'source');
    if (n.kind === 'sink') check(n, 'sink');
    if (n.kind === 'lookupJoin') check(n, 'lookup');
  }
  return plan;
}

function check(n: SourceNode | SinkNode | LookupJoinNode, role: ConnectorRole): void {
  const at = (option: string) => (n.kind === 'lookupJoin' ? n.loc : n.optionLocs?.[option] ?? n.loc);
  const c = connectorFor(n.table, n.connector, role);
  const declared = n.kind === 'source' ? n.declared : n.kind === 'sink' ? n.schema : n.lookupFields;
  const primaryKey = n.kind === 'sink' ? n.primaryKey : n.kind === 'source' ? n.upsertKey ?? [] : [];
  const problem = isProblem(c) ? c : optionProblem(c, { table: n.table, declared, primaryKey, options: n.options }, role);
  if (problem) throw new CompileError(problem.message, at(problem.option), problem.hint);
}
