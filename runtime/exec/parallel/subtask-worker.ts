// The inside of a subtask's thread (see parallel-runner.ts): imports the job's bundle (its stage code; its UDF
// modules register their functions in this thread), runs one SubtaskRunner, wires the MessagePorts to the
// other subtasks into its exchanges, answers the coordinator's snapshot/release/commit/stop requests and
// reports its figures every REPORT_MS.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { CompiledBundle } from '../../core/bundle.js';
import * as functions from '../../core/functions.js';
import { createLogger } from '../../core/log.js';
import { udfFunctions } from '../../core/udf.js';
import { interpretPlan } from '../interpret-plan.js';
import type { ChannelMessage } from './channels.js';
import { SubtaskRunner } from './subtask-runner.js';
import { REPORT_MS, toWire, type FromSubtask, type SubtaskData, type SubtaskReport, type ToSubtask } from './subtask-protocol.js';

const data = workerData as SubtaskData;
const port = parentPort!;
const post = (m: FromSubtask) => port.postMessage(m);

const mod = (await import(pathToFileURL(data.bundle).href)) as { job?: CompiledBundle };
if (!mod.job || typeof mod.job.factory !== 'function') throw new Error(`${data.bundle} is not a sluice bundle`);
const udfs = udfFunctions(data.plan.udfs);
const code = data.unfused ? interpretPlan(data.plan, udfs) : mod.job.factory({ fn: functions }, udfs);
const log = createLogger(data.plan.name).child({ subtask: data.index });

const runner = new SubtaskRunner({
  plan: data.plan, code, index: data.index, parallelism: data.parallelism, restore: data.restore, log, commitOnStop: data.commitOnStop,
  links: { post: (to, m) => data.ports[to]!.postMessage(m) },
});
data.ports.forEach((p, from) => p?.on('message', (m: ChannelMessage) => runner.onPeer(from, m)));

port.on('message', (m: ToSubtask) => {
  switch (m.type) {
    case 'snapshot':
      runner.snapshot(m.id, m.drain).then((value) => post({ type: 'reply', rid: m.rid, value }), (e) => post({ type: 'reply', rid: m.rid, error: toWire(e) }));
      break;
    case 'release': runner.release(m.stop); break;
    case 'commit':
      runner.checkpointComplete(m.part).then(() => post({ type: 'reply', rid: m.rid }), (e) => post({ type: 'reply', rid: m.rid, error: toWire(e) }));
      break;
    case 'go': runner.go(); break;
    case 'stop': runner.stop(); break;
    case 'exit':
      for (const p of data.ports) p?.close();
      port.close();
      break;
  }
});

function report(): SubtaskReport {
  return {
    operators: [...runner.metrics.operators.values()].map((m) => ({
      id: m.operatorId, name: m.name, recordsIn: m.recordsIn, recordsOut: m.recordsOut, lateRecordsDropped: m.lateRecordsDropped,
      badRecordsSkipped: m.badRecordsSkipped, recordsLost: m.recordsLost, pendingRecords: m.pendingRecords, incidents: m.incidents.splice(0),
    })),
    times: [...runner.times],
    watermarks: [...runner.watermarks, ...Object.entries(runner.inboxWatermarks())],
  };
}

const reporter = setInterval(() => post({ type: 'report', report: report() }), REPORT_MS);
void runner.started.then(() => post({ type: 'started' }));
try {
  await runner.run();
  clearInterval(reporter);
  post({ type: 'report', report: report() });
  post({ type: 'done' });
} catch (e) {
  clearInterval(reporter);
  post({ type: 'report', report: report() });
  post({ type: 'done', error: toWire(e) });
}
