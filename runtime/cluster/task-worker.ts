// The inside of a task's thread (see task-thread.ts): runs one Task and talks to the taskmanager's main
// thread by messages. Events go out and wait for the jobmanager's answer (a checkpoint's acceptance);
// reports go out every half second; cancel and savepoint requests come in. A UDF that blocks (the
// playground's backpressure map sleeps 100 ms a record) blocks this thread only, never the heartbeats.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../core/log.js';
import type { DeployCommand, SavepointCommand, TaskEvent, TaskReport } from './protocol.js';
import { Task } from './task.js';

export type ToTask =
  | { type: 'cancel' }
  | { type: 'savepoint'; command: SavepointCommand }
  | { type: 'event-result'; id: number; accepted: boolean };

export type FromTask =
  | { type: 'event'; id: number; event: TaskEvent }
  | { type: 'report'; report: TaskReport }
  | { type: 'done' };

export const REPORT_INTERVAL_MS = 500;

const { command, logName } = workerData as { command: DeployCommand; logName: string };
const port = parentPort!;
const post = (m: FromTask) => port.postMessage(m);
const waiting = new Map<number, (accepted: boolean) => void>();
let nextId = 0;

const task = new Task(command, {
  log: createLogger(logName),
  send: (event) => new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    post({ type: 'event', id, event });
  }),
});

port.on('message', (m: ToTask) => {
  if (m.type === 'cancel') task.cancel();
  else if (m.type === 'savepoint') task.savepoint(m.command);
  else {
    waiting.get(m.id)?.(m.accepted);
    waiting.delete(m.id);
  }
});

const reporter = setInterval(() => post({ type: 'report', report: task.report() }), REPORT_INTERVAL_MS);
await task.run();
clearInterval(reporter);
post({ type: 'report', report: task.report() });
post({ type: 'done' });
