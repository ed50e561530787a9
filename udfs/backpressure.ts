// The operations playground's BackpressureMap as a UDF: during even minutes each call blocks the task for
// 100 ms (as Thread.sleep does in Flink), so the stage slows to 10 records/s and backpressure builds up.
import { udf } from 'sluice';

const lock = new Int32Array(new SharedArrayBuffer(4));

export const backpressureMap = udf(function backpressureMap(page: string): string {
  if (new Date().getMinutes() % 2 === 0) Atomics.wait(lock, 0, 0, 100);
  return page;
}, { name: 'backpressure_map' });
