// What a compiled bundle exports: its plan and the factory of its fused stage code. The contract between
// the compiler's bundle, the CLI that runs it in-process and the taskmanager that runs it as a task.
import type * as functions from './functions.js';
import type { StageCode } from './kernels.js';
import type { JobPlan } from './plan.js';

export type StageFactory = (rt: { fn: typeof functions }, udfs: Record<string, (...a: any[]) => unknown>) => StageCode;

export interface CompiledBundle {
  plan: JobPlan;
  factory: StageFactory;
}
