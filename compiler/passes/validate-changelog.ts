// Checks that every operator can take the changelog its input produces: a sink that only appends rejects
// an updating query (Flink's "doesn't support consuming update changes"), a keyed sink needs a primary key
// (both as the sink's connector declares, runtime/connectors/check-table.ts),
// and aggregates over an updating input (retraction) are not supported yet and say so by name.
// In batch mode (execution.runtime-mode = batch, known here from the job's configuration or -D) every operator
// emits final, insert-only rows at the end of its input, so none of this applies: a group-by may go into an
// append-only sink, as in Flink's batch mode. The runtime checks the sinks again once the mode is settled
// (automatic mode: when the sources open), runtime/exec/runtime-mode.ts.
import { sinkChangelogProblem } from '../../runtime/connectors/check-table.js';
import { findConnector } from '../../runtime/connectors/registry.js';
import type { JobPlan, PlanNode, SortNode } from '../../runtime/core/plan.js';
import { removeDeadNodes } from './remove-dead-nodes.js';
import { CompileError } from '../ir/diagnostics.js';
import { RUNTIME_MODE_KEY, runtimeMode, streamingSortRefusal } from '../../runtime/exec/runtime-mode.js';

export function validateChangelog(plan: JobPlan): JobPlan {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  // A select with ROW_NUMBER() leaves a rank without range behind once the enclosing WHERE ranged it: only
  // one that reaches a sink lacks the filter.
  const live = new Set(removeDeadNodes(plan).nodes.map((n) => n.id));
  const batch = runtimeMode(plan.config) === 'batch';
  for (const n of plan.nodes) {
    if (n.kind === 'rank' && n.rankEnd === null && live.has(n.id)) {
      throw new CompileError(`ROW_NUMBER() OVER (...) AS ${n.rankColumn} needs a filter on ${n.rankColumn} in the enclosing query`, n.loc,
        `SELECT ... FROM (SELECT ..., ROW_NUMBER() OVER (...) AS ${n.rankColumn} FROM t) WHERE ${n.rankColumn} <= 3 (Top-N) or ${n.rankColumn} = 1 (deduplication)`);
    }
    if (batch) continue;
    if (n.kind === 'sort') checkStreamingSort(n, byId.get(n.input)!);
    if (n.kind === 'groupAggregate' || n.kind === 'windowAggregate') {
      const input = byId.get(n.input)!;
      if (input.changelog !== 'insert-only') {
        throw new CompileError(`an aggregate over an updating input (the result of another groupBy) is not supported`, n.loc,
          'aggregate the append-only input directly, or use a window aggregate on it');
      }
    }
    if (n.kind === 'sink') checkSink(n, byId.get(n.input)!);
  }
  return plan;
}

/** What Flink's streaming planner refuses of ORDER BY (a batch runs any ORDER BY). */
function checkStreamingSort(n: SortNode, input: PlanNode): void {
  if (n.streaming === null) {
    throw new CompileError(streamingSortRefusal(n), n.loc, `sort by an ascending time attribute, add LIMIT (a Top-N), or run the job in batch mode (-D ${RUNTIME_MODE_KEY}=batch)`);
  }
  if ((n.streaming === 'rowtime' || n.streaming === 'proctime') && input.changelog !== 'insert-only') {
    throw new CompileError(`ORDER BY ${n.orderBy[0].column} (a temporal sort) does not take the updates its input produces`, n.loc, 'sort an append-only input, or run the job in batch mode');
  }
}

function checkSink(n: Extract<PlanNode, { kind: 'sink' }>, input: PlanNode): void {
  const c = findConnector(n.connector);
  const problem = c && sinkChangelogProblem(c, n, input);
  if (problem) throw new CompileError(problem.message, n.loc, problem.hint);
}
