// The inside of a subtask's thread (see parallel-runner.ts). The thread's entry is the job's bundle itself: its
// main (cli/bundle-main.ts) sees the subtask's workerData and calls runSubtaskThread with the bundle's job, so a
// subtask runs on the bundle's own copy of the runtime (nothing compiled or loaded through tsx at run time) and
// the bundle's UDF modules have registered their functions in this thread already. It runs one SubtaskRunner,
// wires the MessagePorts to the other subtasks into its exchanges (and, for subtasks in other processes, the
// job's exchange topic: its partition `index` in, the others' out; kafka-transport.ts), answers the
// coordinator's snapshot/release/commit/stop requests and reports its figures every REPORT_MS.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { CompiledBundle } from '../../core/bundle.js';
import * as functions from '../../core/functions.js';
import { createLogger } from '../../core/log.js';
import { udfFunctions } from '../../core/udf.js';
import { interpretPlan } from '../interpret-plan.js';
import type { ChannelMessage } from './channels.js';
import type { TopicReader, TopicWriter } from './kafka-transport.js';
import { kafkaTransport } from './load-kafka-transport.js';
import { SubtaskRunner } from './subtask-runner.js';
import { REPORT_MS, SUBTASK_PROTOCOL, toWire, type FromSubtask, type SubtaskData, type SubtaskReport, type ToSubtask } from './subtask-protocol.js';

/** Whether this thread was started as a parallel subtask (by any version of sluice's coordinator). */
export function isSubtaskThread(): boolean {
  return !isMainThread && typeof (workerData as Partial<SubtaskData> | null)?.sluiceSubtask === 'number';
}

/** Runs this thread's subtask with the job's stage code; the thread ends once the coordinator says so. */
export async function runSubtaskThread(job: CompiledBundle): Promise<void> {
  const data = workerData as SubtaskData;
  const port = parentPort!;
  const post = (m: FromSubtask) => port.postMessage(m);
  if (data.sluiceSubtask !== SUBTASK_PROTOCOL) {
    // A bundle compiled by another version of sluice than the coordinator's: their messages may differ.
    post({ type: 'done', error: toWire(Object.assign(new Error(
      `this bundle's subtask protocol is version ${SUBTASK_PROTOCOL}, the runner's ${data.sluiceSubtask}: it was compiled by another version of sluice`,
    ), { name: 'UserError', hint: 'recompile the job with this sluice (`sluice compile`)' })) });
    port.close();
    return;
  }
  const udfs = udfFunctions(data.plan.udfs);
  const code = data.unfused ? interpretPlan(data.plan, udfs) : job.factory({ fn: functions }, udfs);
  const log = createLogger(data.plan.name).child({ subtask: data.index });

  let linkError: Error | null = null;
  let writer: TopicWriter | null = null;
  let reader: TopicReader | null = null;
  const runner = new SubtaskRunner({
    plan: data.plan, code, index: data.index, parallelism: data.parallelism, restore: data.restore, log, commitOnStop: data.commitOnStop,
    links: {
      post: (to, m) => {
        const p = data.ports[to];
        if (p) p.postMessage(m);
        // Through Kafka, a sender's credit comes back when Kafka has the batch (the topic is the buffer); the
        // receiver's credits have nowhere to go.
        else if (m.t !== 'credit') writer!.post(to, data.index, m, m.t === 'data' ? () => runner.onPeer(to, { t: 'credit', x: m.x, n: 1 }) : undefined);
      },
    },
  });
  data.ports.forEach((p, from) => p?.on('message', (m: ChannelMessage) => runner.onPeer(from, m)));

  port.on('message', (m: ToSubtask) => {
    switch (m.type) {
      case 'snapshot':
        // At the aligned barriers everything read from the exchange topic so far is in this part of the checkpoint.
        runner.snapshot(m.id, m.drain).then((value) => { reader?.mark(); post({ type: 'reply', rid: m.rid, value }); }, (e) => post({ type: 'reply', rid: m.rid, error: toWire(e) }));
        break;
      case 'release': runner.release(m.stop); break;
      case 'commit':
        runner.checkpointComplete(m.part).then(() => post({ type: 'reply', rid: m.rid }), (e) => post({ type: 'reply', rid: m.rid, error: toWire(e) }));
        // The checkpoint is complete: the exchange records it covers are deleted (kafka-transport.ts, TopicReader).
        void reader?.trim();
        break;
      case 'go': runner.go(); break;
      case 'stop': runner.stop(); break;
      case 'hello': break;
      case 'exit':
        for (const p of data.ports) p?.close();
        port.close();
        break;
    }
  });

  const report = (): SubtaskReport => ({
    operators: [...runner.metrics.operators.values()].map((m) => ({
      id: m.operatorId, name: m.name, recordsIn: m.recordsIn, recordsOut: m.recordsOut, lateRecordsDropped: m.lateRecordsDropped,
      badRecordsSkipped: m.badRecordsSkipped, recordsLost: m.recordsLost, pendingRecords: m.pendingRecords, incidents: m.incidents.splice(0),
    })),
    times: [...runner.times],
    watermarks: [...runner.watermarks, ...Object.entries(runner.inboxWatermarks())],
    samples: [...runner.metrics.operators.values()].flatMap((m) => {
      const rows = m.outputSample?.take() ?? [];
      return rows.length ? [[m.operatorId, rows] as [string, string[]]] : [];
    }),
  });

  const reporter = setInterval(() => post({ type: 'report', report: report() }), REPORT_MS);
  try {
    if (data.remote) {
      // Positioned before the subtask reports `started`: no subtask of this attempt writes before every one has.
      const fail = (e: Error) => { linkError ??= e; runner.stop(); };
      const { internalTopics, TopicReader, TopicWriter } = await kafkaTransport();
      const { exchange } = internalTopics(data.remote.jobId, data.parallelism);
      writer = await TopicWriter.open(data.remote, exchange, `s${data.index}-out`, log, fail);
      reader = await TopicReader.open(data.remote, exchange, [data.index], `s${data.index}-in`, log,
        (_p, from, m) => runner.onPeer(from, m as ChannelMessage), () => runner.room(), fail);
    }
    void runner.started.then(() => post({ type: 'started' }));
    await runner.run();
    // What went out through Kafka is there before the subtask says it is done.
    await writer?.flushed();
    await Promise.all([reader?.close(), writer?.close()]);
    if (linkError) throw linkError;
    clearInterval(reporter);
    post({ type: 'report', report: report() });
    post({ type: 'done' });
  } catch (e) {
    await Promise.all([reader?.close(), writer?.close()]);
    clearInterval(reporter);
    post({ type: 'report', report: report() });
    post({ type: 'done', error: toWire(e) });
  }
}
