// Checks that every operator can take the changelog its input produces: a sink that only appends rejects
// an updating query (Flink's "doesn't support consuming update changes"), a keyed sink needs a primary key
// (both as the sink's connector declares, runtime/connectors/check-table.ts),
// window aggregates over an updating input are not supported yet, nor group aggregates, LATERAL TABLE or UNNEST
// over an upsert source (whose updates carry no old row), and each says so by name.
// In batch mode (execution.runtime-mode = batch, known here from the job's configuration or -D) every operator
// emits final, insert-only rows at the end of its input, so none of this applies: a group-by may go into an
// append-only sink, as in Flink's batch mode. The runtime checks the sinks again once the mode is settled
// (automatic mode: when the sources open), runtime/exec/runtime-mode.ts.
import { sinkChangelogProblem } from '../../runtime/connectors/check-table.js';
import { findConnector } from '../../runtime/connectors/registry.js';
import { inputsOf, type JobPlan, type PlanNode, type SortNode } from '../../runtime/core/plan.js';
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
    if (n.kind === 'sort' && n.offset > 0 && n.fetch === null) {
      // Flink's planner refuses it in both modes (its batch SortLimit needs an end, its streaming Rank too).
      const flink = batch ? 'Not support limitEnd is max value now!' : 'FETCH is missed, which on streaming table is not supported currently.';
      throw new CompileError(`OFFSET without FETCH is not supported, as in Flink ("${flink}")`, n.loc, 'add FETCH NEXT n ROWS ONLY (or LIMIT n OFFSET m; in the Table API .offset(m).fetch(n))');
    }
    if (batch) continue;
    if (n.kind === 'sort') checkStreamingSort(n, byId.get(n.input)!);
    if (n.kind === 'windowAggregate' && byId.get(n.input)!.changelog !== 'insert-only') {
      throw new CompileError(`a window aggregate over an updating input (a CDC source, a group-by, an outer join) is not supported`, n.loc,
        'aggregate with a non-windowed GROUP BY (its results retract), or window the append-only input');
    }
    if (n.kind === 'groupAggregate' && n.retracting) {
      // An upsert source sends an update as +U of the new row only (no -U of the old): what to take back out of the
      // accumulators is unknown without Flink's ChangelogNormalize, which keeps each key's last row.
      const upsertSource = upstreamSources(byId, n.input).find((s) => s.changelog === 'upsert');
      if (upsertSource) {
        throw new CompileError(`an aggregate over the upsert source '${upsertSource.table}' is not supported: its updates carry no old row to retract`, n.loc,
          `read its changes in a changelog format ('debezium-json', 'canal-json') from a source that is not an upsert source`);
      }
    }
    if (n.kind === 'correlate') {
      // Flink expands each changelog row with its kind, and puts a ChangelogNormalize (each key's last row) behind an
      // upsert source so that an update's -U exists; sluice has none, so the rows an update replaces are unknown.
      const upsertSource = upstreamSources(byId, n.input).find((s) => s.changelog === 'upsert');
      if (upsertSource) {
        const what = n.fn.kind === 'udtf' ? `LATERAL TABLE(${n.fn.name}(...))` : 'UNNEST';
        throw new CompileError(`${what} over the upsert source '${upsertSource.table}' is not supported: its updates carry no old row, so the rows an update replaces cannot be taken back`, n.loc,
          `read its changes in a changelog format ('debezium-json', 'canal-json') from a source that is not an upsert source`);
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

/** The sources whose changes reach a node as they are (not through an operator that emits its own -U/+U). */
function upstreamSources(byId: Map<string, PlanNode>, id: string): Extract<PlanNode, { kind: 'source' }>[] {
  const out: Extract<PlanNode, { kind: 'source' }>[] = [];
  const seen = new Set<string>();
  const visit = (x: string) => {
    if (seen.has(x)) return;
    seen.add(x);
    const n = byId.get(x)!;
    if (n.kind === 'source') out.push(n);
    else if (n.kind === 'calc' || n.kind === 'union' || n.kind === 'exchange' || n.kind === 'fused') inputsOf(n).forEach(visit);
  };
  visit(id);
  return out;
}

function checkSink(n: Extract<PlanNode, { kind: 'sink' }>, input: PlanNode): void {
  const c = findConnector(n.connector);
  const problem = c && sinkChangelogProblem(c, n, input);
  if (problem) throw new CompileError(problem.message, n.loc, problem.hint);
}
