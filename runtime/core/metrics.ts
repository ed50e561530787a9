// Counters per operator (records in/out, late records dropped, bad records skipped, records lost), read by the REST
// API and tests. Plain numbers: incrementing one is a property write on the hot path.
import type { OutputSample } from './output-sample.js';

export class OperatorMetrics {
  recordsIn = 0;
  recordsOut = 0;
  lateRecordsDropped = 0;
  badRecordsSkipped = 0;
  /** Records a source could not read and the job accepted to lose (e.g. Kafka offsets deleted by retention). */
  recordsLost = 0;
  /** A source's records not read yet (Kafka: the consumer lag); null where the source cannot tell. */
  pendingRecords: number | null = null;
  /**
   * Problems that did not fail the job but belong in its exceptions history (an accepted loss); a taskmanager
   * takes them out with each heartbeat (cluster/task-metrics.ts).
   */
  readonly incidents: { name: string; message: string }[] = [];
  /** A sink's last rows written, for the dashboard's output tail (taken with each heartbeat); null elsewhere. */
  outputSample: OutputSample | null = null;
  constructor(readonly operatorId: string, readonly name: string) {}
}

export class JobMetrics {
  readonly operators = new Map<string, OperatorMetrics>();

  operator(id: string, name: string): OperatorMetrics {
    let m = this.operators.get(id);
    if (!m) this.operators.set(id, (m = new OperatorMetrics(id, name)));
    return m;
  }

  total(key: 'recordsIn' | 'recordsOut' | 'lateRecordsDropped' | 'badRecordsSkipped'): number {
    let sum = 0;
    for (const m of this.operators.values()) sum += m[key];
    return sum;
  }
}
