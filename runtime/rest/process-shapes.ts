// The cluster's processes in Flink's shapes: taskmanagers (list and details), their metrics and the
// jobmanager's, the log files of each, and the jobmanager's environment. A Node process's figures take
// Flink's JVM metric names where one means the same (Status.JVM.Memory.Heap.Used is V8's used heap,
// Status.JVM.CPU.Load the process's CPU load); what a JVM has no name for is under Status.Node.*.
import fs from 'node:fs';
import path from 'node:path';
import { cpus, freemem, totalmem } from 'node:os';
import type { JobManager } from '../cluster/jobmanager.js';
import type { ProcessReport } from '../cluster/process-metrics.js';
import type { TaskManagerRecord } from '../cluster/taskmanager-registry.js';
import { notFound } from '../cluster/errors.js';
import type { MetricValues } from './metric-shapes.js';

function resources(cores: number) {
  return { cpuCores: cores, taskHeapMemory: 0, taskOffHeapMemory: 0, managedMemory: 0, networkMemory: 0, extendedResources: {} };
}

/** One entry of GET /taskmanagers (TaskManagerInfo). */
function taskManagerInfo(t: TaskManagerRecord) {
  const cores = cpus().length;
  return {
    id: t.id,
    path: `pid ${t.info.pid} on ${t.info.host}`,
    dataPort: -1,
    jmxPort: -1,
    timeSinceLastHeartbeat: t.lastHeartbeat,
    slotsNumber: t.info.slots,
    freeSlots: t.freeSlots,
    blocked: false,
    totalResource: resources(cores),
    freeResource: resources(cores),
    hardware: { cpuCores: cores, physicalMemory: totalmem(), freeMemory: freemem(), managedMemory: 0 },
    memoryConfiguration: {
      frameworkHeap: 0, taskHeap: t.process?.heapLimit ?? 0, frameworkOffHeap: 0, taskOffHeap: 0, networkMemory: 0, managedMemory: 0,
      jvmMetaspace: 0, jvmOverhead: 0, totalFlinkMemory: t.process?.heapLimit ?? 0, totalProcessMemory: t.process?.rss ?? 0,
    },
    pid: t.info.pid,
    host: t.info.host,
    logFile: t.info.logFile,
    tasks: [...t.tasks].map(([jobId, p]) => ({ jobId, attempt: p.attempt })),
  };
}

export function taskManagers(jm: JobManager) {
  return { taskmanagers: [...jm.taskManagers.values()].map(taskManagerInfo) };
}

/** GET /taskmanagers/:taskmanagerid (TaskManagerDetailsInfo): the list entry, its slots and its memory figures. */
export function taskManagerDetails(t: TaskManagerRecord) {
  const p = t.process;
  return {
    ...taskManagerInfo(t),
    allocatedSlots: [...t.tasks.keys()].map((jobId) => ({ jobId, resource: resources(1) })),
    metrics: {
      heapUsed: p?.heapUsed ?? 0, heapCommitted: p?.heapTotal ?? 0, heapMax: p?.heapLimit ?? 0,
      nonHeapUsed: p?.external ?? 0, nonHeapCommitted: p?.external ?? 0, nonHeapMax: -1,
      directCount: 0, directUsed: 0, directMax: 0, mappedCount: 0, mappedUsed: 0, mappedMax: 0,
      memorySegmentsAvailable: 0, memorySegmentsTotal: 0,
      nettyShuffleMemorySegmentsAvailable: 0, nettyShuffleMemorySegmentsUsed: 0, nettyShuffleMemorySegmentsTotal: 0,
      nettyShuffleMemoryAvailable: 0, nettyShuffleMemoryUsed: 0, nettyShuffleMemoryTotal: 0,
      garbageCollectors: [],
    },
  };
}

/** A process's figures under Flink's metric names (and Status.Node.* for the event loop and RSS). */
function processMetricValues(p: ProcessReport | null): MetricValues {
  if (!p) return {};
  return {
    'Status.JVM.Memory.Heap.Used': p.heapUsed,
    'Status.JVM.Memory.Heap.Committed': p.heapTotal,
    'Status.JVM.Memory.Heap.Max': p.heapLimit,
    'Status.JVM.Memory.NonHeap.Used': p.external,
    'Status.JVM.CPU.Load': p.cpuLoad,
    'Status.JVM.CPU.Time': (p.cpuUserMs + p.cpuSystemMs) * 1e6,
    'Status.Node.Memory.RSS': p.rss,
    'Status.Node.EventLoop.Delay.Mean': p.eventLoopDelayMeanMs,
    'Status.Node.EventLoop.Delay.Max': p.eventLoopDelayMaxMs,
    'Status.Node.EventLoop.Delay.P99': p.eventLoopDelayP99Ms,
    'Status.Node.Uptime': p.uptimeMs,
  };
}

export function taskManagerMetricValues(t: TaskManagerRecord): MetricValues {
  return { ...processMetricValues(t.process), 'Status.Slots.Total': t.info.slots, 'Status.Slots.Free': t.freeSlots };
}

export function jobManagerMetricValues(jm: JobManager, own: ProcessReport): MetricValues {
  const tms = [...jm.taskManagers.values()];
  return {
    ...processMetricValues(own),
    numRegisteredTaskManagers: tms.length,
    numRunningJobs: [...jm.jobs.values()].filter((j) => !j.terminal).length,
    taskSlotsTotal: tms.reduce((s, t) => s + t.info.slots, 0),
    taskSlotsAvailable: tms.reduce((s, t) => s + t.freeSlots, 0),
  };
}

/** Log files of a process: its `<name>.log` and `<name>.out` (the print sink's stdout), where they exist. */
export function logFiles(logFile: string | null): { name: string; file: string }[] {
  if (!logFile) return [];
  const base = logFile.replace(/\.log$/, '');
  return [`${base}.log`, `${base}.out`].filter((f) => fs.existsSync(f)).map((file) => ({ name: path.basename(file), file }));
}

/** LogListInfo: the files with size and modification time. */
export function logList(files: { name: string; file: string }[]) {
  return {
    logs: files.map(({ name, file }) => {
      const st = fs.statSync(file, { throwIfNoEntry: false });
      return { name, size: st?.size ?? 0, mtime: st ? Math.round(st.mtimeMs) : 0 };
    }),
  };
}

/** One listed log file by name (names come from the listing only: nothing outside the log directory is served). */
export function logFile(files: { name: string; file: string }[], name: string): string {
  const f = files.find((x) => x.name === name);
  if (!f) throw notFound(`Log file ${name} not found (see the logs list)`);
  return f.file;
}

/** GET /jobmanager/environment (EnvironmentInfo): Node's version, platform and flags in the JVM's fields. */
export function environment() {
  return {
    jvm: { version: `Node.js ${process.version} (V8 ${process.versions.v8})`, arch: process.arch, options: [...process.execArgv] },
    classpath: [],
  };
}
