// A `sort` plan node (ORDER BY / OFFSET / FETCH, runtime/core/plan.ts) for the SQL frontend and the Table
// API's orderBy/offset/fetch/limit alike. Its `streaming` field says how a stream runs it, as Flink's
// streaming planner decides: ORDER BY an ascending time attribute (then anything) is a temporal sort, a
// fetch with ORDER BY a Top-N of the ranks offset+1 .. offset+fetch, a fetch alone the first rows; any other
// sort only a batch can run (compiler/passes/validate-changelog.ts refuses it for a stream, and an OFFSET
// without a fetch in either mode, as Flink does).
import type { PlanNode, SortKey, SortNode, SortStreaming, SourceLoc } from '../../runtime/core/plan.js';
import { sortChangelog } from '../../runtime/exec/sort/sort-processor.js';
import type { PlanBuilder } from '../ir/plan-builder.js';

export function lowerSort(plan: PlanBuilder, node: PlanNode, orderBy: SortKey[], offset: number, fetch: number | null, loc: SourceLoc | undefined): SortNode {
  const time = orderBy.length && !orderBy[0].desc ? node.schema.find((f) => f.name === orderBy[0].column)?.type.timeAttribute : undefined;
  const streaming: SortStreaming | null = fetch !== null ? (orderBy.length ? 'top-n' : 'limit') : offset > 0 ? null : time ?? null;
  const shape = { input: node.id, orderBy, offset, fetch, streaming, schema: node.schema };
  return plan.add<SortNode>({ kind: 'sort', ...shape, ...sortChangelog(shape, node), loc });
}
