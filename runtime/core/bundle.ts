// What a compiled bundle exports: its plan and the factory of its fused stage code. The contract between
// the compiler's bundle, the CLI that runs it in-process and the taskmanager that runs it as a task.
import type * as functions from './functions.js';
import type { StageCode } from './kernels.js';
import type { JobPlan } from './plan.js';

export type StageFactory = (rt: { fn: typeof functions }, udfs: Record<string, (...a: any[]) => unknown>) => StageCode;

export interface CompiledBundle {
  plan: JobPlan;
  factory: StageFactory;
  /**
   * The connectors whose implementations the bundle's own runtime carries (compiler/bundle/bundle-job.ts): what its
   * parallel subtasks, which run on that runtime, can open. Absent in a job compiled in memory (`sluice run job.ts`).
   */
  carried?: readonly string[];
  /** A job compiled in memory: writes its bundle (carrying these connectors too) for parallel subtasks to start from. */
  writeBundle?: (out: string, connectors: string[]) => Promise<string>;
}
