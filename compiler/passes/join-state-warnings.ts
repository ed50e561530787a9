// Flink's planner warns when a regular join would keep state forever: both inputs of a regular join stay in
// state per key until retracted, so on an unbounded input without `table.exec.state.ttl` the state only grows.
// This check finds such joins in the optimized plan; the job still compiles (as in Flink).
import { connectors } from '../../runtime/connectors/registry.js';
import { durationOption } from '../../runtime/core/options.js';
import { inputsOf, type JobPlan, type SourceNode } from '../../runtime/core/plan.js';
import { CompileWarning } from '../ir/diagnostics.js';

export function joinStateWarnings(plan: JobPlan): CompileWarning[] {
  if (durationOption(plan.config, 'table.exec.state.ttl', 0) > 0) return [];
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const unboundedSources = (id: string, seen = new Set<string>()): SourceNode[] => {
    if (seen.has(id)) return [];
    seen.add(id);
    const n = byId.get(id)!;
    if (n.kind === 'source') return boundedAtCompileTime(n) ? [] : [n];
    return inputsOf(n).flatMap((i) => unboundedSources(i, seen));
  };
  const warnings: CompileWarning[] = [];
  for (const n of plan.nodes) {
    // Interval and window joins drop rows once time has passed their bounds or windows, a temporal join the left rows
    // the watermark has passed and all but one version per key: their state does not grow with the input.
    if (n.kind !== 'join' || n.interval || n.window || n.temporal) continue;
    const unbounded = unboundedSources(n.id);
    if (unbounded.length === 0) continue;
    warnings.push(new CompileWarning(
      `this regular join keeps every row of both inputs in state, and table '${unbounded[0].table}' is unbounded: without a state TTL the state grows forever`,
      n.loc,
      "set a TTL for join state: tEnv.getConfig().set('table.exec.state.ttl', '1 h') (rows unused that long are dropped), or use a window join or a lookup join (FOR SYSTEM_TIME AS OF) when one side is a dimension table",
    ));
  }
  return warnings;
}

/** Sources whose options say they end, as their connector declares (runtime/core/connector.ts endsWith). */
function boundedAtCompileTime(n: SourceNode): boolean {
  const connector = connectors.get(n.connector);
  return connector?.endsWith?.(n.options) ?? false;
}
