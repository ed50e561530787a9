// Runs the plan of a standalone TableEnvironment in this process: Table.execute().collect()/print() and
// TableResult.await() outside a job, mostly for tests and scripts. Fused unless SLUICE_UNFUSED=1.
import type { JobPlan } from '../runtime/core/plan.js';
import type { Row, RowKind } from '../runtime/core/row.js';
import { udfFunctions } from '../runtime/core/udf.js';
import { collect } from '../runtime/connectors/collect/connector.js';
import { materialize, takeCollected } from '../runtime/connectors/collect/sink.js';
import { interpretPlan } from '../runtime/exec/interpret-plan.js';
import { JobRunner } from '../runtime/exec/job-runner.js';
import { emitStages } from './codegen/emit-stages.js';
import { instantiate } from './codegen/instantiate.js';
import { optimize } from './passes/index.js';

export interface StandaloneResult {
  rows: Row[];
  changelog: { kind: RowKind; row: Row }[];
}

/** What it runs (a standalone TableEnvironment): the plan built so far, and the sinks run before. */
export interface StandaloneEnvironment {
  buildPlan(name: string, args: string[]): JobPlan;
  readonly executedSinks: Set<string>;
}

export async function runStandalone(env: StandaloneEnvironment, collectId?: string, fused = process.env.SLUICE_UNFUSED !== '1'): Promise<StandaloneResult> {
  // A collect() runs just its own query; await()/print() run the inserts not run before.
  const built = env.buildPlan('standalone', []);
  const wanted = built.nodes.filter((n) => n.kind === 'sink' && (collectId ? n.options.id === collectId : n.connector !== collect.name && !env.executedSinks.has(n.id)));
  wanted.forEach((n) => env.executedSinks.add(n.id));
  const plan = optimize({ ...built, nodes: built.nodes.filter((n) => n.kind !== 'sink' || wanted.includes(n)) });
  try {
    await runPlan(plan, fused);
  } catch (e) {
    // A failed run's rows must not reach a later collect() of the same id (ids count plan nodes, per environment).
    if (collectId) takeCollected(collectId);
    throw e;
  }
  const changelog = collectId ? takeCollected(collectId) : [];
  return { rows: materialize(changelog), changelog };
}

export async function runPlan(plan: JobPlan, fused: boolean, signal?: AbortSignal, onStart?: (runner: JobRunner) => void): Promise<JobRunner> {
  const udfs = udfFunctions(plan.udfs);
  const code = fused ? instantiate(emitStages(plan).factory, udfs) : interpretPlan(plan, udfs);
  const runner = new JobRunner(plan, { code, signal });
  onStart?.(runner);
  await runner.run();
  return runner;
}
