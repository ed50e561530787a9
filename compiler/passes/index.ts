// The pass pipeline: validation first (errors point at the user's code), then rewrites run to a fixpoint,
// then stable ids, exchanges and fusion. Each pass is JobPlan → JobPlan.
import type { JobPlan } from '../../runtime/core/plan.js';
import { assignIds } from './assign-ids.js';
import { fuseStages } from './fuse-stages.js';
import { insertExchanges } from './insert-exchanges.js';
import { pruneColumns } from './prune-columns.js';
import { removeDeadNodes } from './remove-dead-nodes.js';
import { removeIdentityCalcs } from './remove-identity-calcs.js';
import { splitJoinConditions } from './split-join-conditions.js';
import { validateChangelog } from './validate-changelog.js';
import { validateConnectors } from './validate-connectors.js';

export const rewritePasses = [removeDeadNodes, splitJoinConditions, pruneColumns, removeIdentityCalcs];

export function optimize(plan: JobPlan): JobPlan {
  let p = validateChangelog(validateConnectors(removeDeadNodes(plan)));
  for (let round = 0; round < 20; round++) {
    const before = JSON.stringify(p.nodes);
    for (const pass of rewritePasses) p = pass(p);
    if (JSON.stringify(p.nodes) === before) break;
  }
  return fuseStages(insertExchanges(assignIds(p)));
}
