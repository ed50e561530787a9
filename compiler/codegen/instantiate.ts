// Turns generated stage code into functions in this process (tests, `sluice run job.ts`); bundles embed the
// same factory text instead.
import * as functions from '../../runtime/core/functions.js';
import type { StageCode } from '../../runtime/core/kernels.js';
import type { UdfFunctions } from '../../runtime/core/udf.js';

export function instantiate(factory: string, udfs: UdfFunctions): StageCode {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function(`return ${factory};`)() as (rt: unknown, u: UdfFunctions) => StageCode;
  return make({ fn: functions }, udfs);
}
