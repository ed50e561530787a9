// What a jobmanager or taskmanager process reports about itself: heap, resident memory, CPU time and load,
// and the event loop's delay (a Node process's counterpart to a JVM's GC pauses: a blocked loop delays
// heartbeats and timers). Sampled on demand; the event-loop histogram restarts at each sample, so its
// figures cover the time since the previous one.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { getHeapStatistics } from 'node:v8';

export interface ProcessReport {
  pid: number;
  uptimeMs: number;
  heapUsed: number;
  heapTotal: number;
  heapLimit: number;
  external: number;
  rss: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Share of one core used since the previous sample, 0..cores. */
  cpuLoad: number;
  eventLoopDelayMeanMs: number;
  eventLoopDelayMaxMs: number;
  eventLoopDelayP99Ms: number;
}

let histogram: IntervalHistogram | null = null;
let lastCpu: { at: number; usage: NodeJS.CpuUsage } | null = null;

export function sampleProcess(): ProcessReport {
  if (!histogram) {
    histogram = monitorEventLoopDelay({ resolution: 20 });
    histogram.enable();
  }
  const mem = process.memoryUsage();
  const usage = process.cpuUsage();
  const now = performance.now();
  const cpuLoad = lastCpu && now > lastCpu.at
    ? (usage.user - lastCpu.usage.user + usage.system - lastCpu.usage.system) / 1000 / (now - lastCpu.at)
    : 0;
  lastCpu = { at: now, usage };
  const ms = (ns: number) => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
  const report: ProcessReport = {
    pid: process.pid,
    uptimeMs: Math.round(process.uptime() * 1000),
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    heapLimit: getHeapStatistics().heap_size_limit,
    external: mem.external,
    rss: mem.rss,
    cpuUserMs: Math.round(usage.user / 1000),
    cpuSystemMs: Math.round(usage.system / 1000),
    cpuLoad: Math.min(cpus().length, Math.max(0, Math.round(cpuLoad * 1000) / 1000)),
    eventLoopDelayMeanMs: histogram.count ? ms(histogram.mean) : 0,
    eventLoopDelayMaxMs: histogram.count ? ms(histogram.max) : 0,
    eventLoopDelayP99Ms: histogram.count ? ms(histogram.percentile(99)) : 0,
  };
  histogram.reset();
  return report;
}
