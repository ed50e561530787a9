// Which algorithm runs a rank node, chosen as Flink's planner chooses it (StreamPhysicalRank/Deduplicate and
// RankProcessStrategy): deduplication when the order is one time attribute, the range is row 1 and the row
// number is not output; on an append-only input an append Top-N (first-N when ordered by proctime ascending);
// on an updating input the retracting Top-N; on the rows of windows the window Top-N (the window deduplication
// when the order is one time attribute and the range is row 1, as for the others). The compiler
// (frontend, prune-columns) and the runtime both call it, so a plan's changelog and its operator agree.
import type { Field } from '../../core/data-types.js';
import type { RankNode, RankStrategy } from '../../core/plan.js';
import type { ChangelogMode } from '../../core/row.js';

export type { RankStrategy };

type RankShape = Pick<RankNode, 'orderBy' | 'rankStart' | 'rankEnd' | 'rankColumn' | 'windowEnd'>;

export function rankStrategy(n: RankShape, input: { schema: readonly Field[]; changelog: ChangelogMode }): RankStrategy {
  const time = n.orderBy.length === 1 ? input.schema.find((f) => f.name === n.orderBy[0].column)?.type.timeAttribute : undefined;
  // Flink's RankUtil.canConvertToDeduplicate.
  const dedup = time !== undefined && n.rankStart === 1 && n.rankEnd === 1 && n.rankColumn === null;
  const keep = n.orderBy[0]?.desc ? 'last' : 'first';
  if (n.windowEnd !== null) return dedup ? `window-dedup-${keep}` : 'window-top-n';
  if (input.changelog !== 'insert-only') return 'retract-top-n';
  if (dedup) return `dedup-${time}-${keep}`;
  return time === 'proctime' && !n.orderBy[0].desc ? 'first-n' : 'append-top-n';
}

/** What the strategy emits: only inserts (first rows, window ranks), or updates and deletes. */
export function rankChangelog(s: RankStrategy): ChangelogMode {
  switch (s) {
    case 'dedup-proctime-first': case 'dedup-rowtime-first': case 'first-n': case 'window-top-n': case 'window-dedup-first': case 'window-dedup-last': return 'insert-only';
    default: return 'retract';
  }
}

/**
 * Whether the strategy's operator keeps no reference to its input rows once it has processed them (the append
 * Top-N keeps copies of the rows entering its top, top-n.ts), so that a source feeding it may reuse them.
 */
export function rankReleasesInput(s: RankStrategy): boolean {
  return s === 'append-top-n';
}

/**
 * The unique key of the output when one row per partition is kept: the partition keys. (With the row number
 * output, partition and row number are unique too, but declaring it would keep the row number alive through
 * the calcs above when nothing reads it, and its updates cost a -U/+U per moved row.)
 */
export function rankUpsertKey(n: Pick<RankNode, 'partitionKeys' | 'rankEnd' | 'rankStart'>): string[] | undefined {
  return n.rankEnd === n.rankStart ? n.partitionKeys : undefined;
}

/** The operator's name as Flink's explain writes it. */
export function rankName(n: RankNode): string {
  const s = n.strategy;
  const order = n.orderBy.map((k) => `${k.column} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
  if (s.startsWith('dedup-')) {
    const [, time, keep] = s.split('-');
    return `Deduplicate(keep=[${keep === 'first' ? 'FirstRow' : 'LastRow'}], key=[${n.partitionKeys.join(', ')}], order=[${time.toUpperCase()}])`;
  }
  if (s.startsWith('window-dedup-')) {
    return `WindowDeduplicate(keep=[${s.endsWith('first') ? 'FirstRow' : 'LastRow'}], partitionKeys=[${n.partitionKeys.join(', ')}], orderKey=[${n.orderBy[0].column}], order=[ROWTIME])`;
  }
  const strategy = s === 'retract-top-n' ? 'RetractStrategy' : s === 'window-top-n' ? 'WindowRank' : 'AppendFastStrategy';
  return `Rank(strategy=[${strategy}], rankType=[ROW_NUMBER], rankRange=[rankStart=${n.rankStart}, rankEnd=${n.rankEnd}], ` +
    `partitionBy=[${n.partitionKeys.join(', ')}], orderBy=[${order}]${n.rankColumn ? `, rank=[${n.rankColumn}]` : ''})`;
}
