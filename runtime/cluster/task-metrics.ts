// Per-operator figures a task reports with each heartbeat: record counts from the runner's metrics and
// Flink's busy/idle/backPressuredTimeMsPerSecond, derived from where each source's chain spent its time
// since the last report. All operators run chained behind their source (one task, as a Flink operator
// chain), so an operator takes its chain's figures (the worst of several, behind a union); a sink counts
// the time spent waiting for it as busy, the operators before it as backpressured, as Flink shows a slow sink.
import type { JobRun } from '../exec/job-runner.js';
import { describe } from '../exec/describe.js';
import type { ChainTimes } from '../exec/source-pump.js';
import { inputsOf, operatorsOf, type JobPlan, type PlanNode } from '../core/plan.js';
import type { OperatorReport } from './protocol.js';

interface Rates { busy: number; idle: number; bp: number }

export class TaskMetrics {
  private readonly sourcesOf = new Map<string, string[]>();
  private last: { at: number; times: Map<string, ChainTimes> } | null = null;
  /** The operators as the user wrote them (a fused node's calcs, no exchanges): the vertices reported. */
  private readonly operators: PlanNode[];

  constructor(private readonly plan: JobPlan) {
    this.operators = operatorsOf(plan);
    for (const n of this.operators) {
      const ins = inputsOf(n);
      this.sourcesOf.set(n.id, ins.length === 0 ? [n.id] : [...new Set(ins.flatMap((i) => this.sourcesOf.get(i) ?? []))]);
    }
  }

  sample(runner: JobRun | null): OperatorReport[] {
    const now = performance.now();
    const times = new Map<string, ChainTimes>();
    for (const [id, t] of runner?.times ?? []) times.set(id, { ...t });
    const rates = new Map<string, Rates>();
    for (const [id, t] of times) {
      const prev = this.last?.times.get(id);
      const dt = this.last ? now - this.last.at : 0;
      const per = (a: number, b: number) => (dt > 0 ? clamp(((a - b) / dt) * 1000) : 0);
      rates.set(id, prev ? { busy: per(t.busyMs, prev.busyMs), idle: per(t.idleMs, prev.idleMs), bp: per(t.backPressuredMs, prev.backPressuredMs) } : { busy: 0, idle: 0, bp: 0 });
    }
    this.last = { at: now, times };

    const stageOf = new Map<string, string>();
    for (const s of this.plan.nodes) if (s.kind === 'fused') for (const c of s.calcs) stageOf.set(c.id, s.id);
    return this.operators.map((n) => {
      const m = runner?.metrics.operators.get(n.id) ?? runner?.metrics.operators.get(stageOf.get(n.id) ?? '');
      const sources = this.sourcesOf.get(n.id) ?? [];
      const r = { busy: 0, idle: 0, bp: 0 };
      const acc = { busy: 0, idle: 0, bp: 0 };
      for (const s of sources) {
        const x = rates.get(s);
        const t = times.get(s);
        if (x) { r.busy = Math.max(r.busy, x.busy); r.idle = Math.max(r.idle, x.idle); r.bp = Math.max(r.bp, x.bp); }
        if (t) { acc.busy = Math.max(acc.busy, t.busyMs); acc.idle = Math.max(acc.idle, t.idleMs); acc.bp = Math.max(acc.bp, t.backPressuredMs); }
      }
      if (n.kind === 'sink') { r.busy = clamp(r.busy + r.bp); r.bp = 0; acc.busy += acc.bp; acc.bp = 0; }
      // An operator's input watermark is the least of its sources' (a source's own is what it emitted).
      const wms = sources.map((s) => runner?.watermarks.get(s));
      const watermark = wms.length && wms.every((w) => w !== undefined) ? Math.min(...(wms as number[])) : undefined;
      return {
        id: n.id,
        name: describe(n),
        recordsIn: m?.recordsIn ?? 0,
        recordsOut: m?.recordsOut ?? 0,
        lateRecordsDropped: m?.lateRecordsDropped ?? 0,
        badRecordsSkipped: m?.badRecordsSkipped ?? 0,
        recordsLost: m?.recordsLost ?? 0,
        // Taken out: each goes into the exceptions history once (one lost with its heartbeat is only logged).
        incidents: m?.incidents.splice(0) ?? [],
        // Also taken out: the jobmanager appends them to its own bounded tail per sink.
        ...(m?.outputSample ? { outputSample: m.outputSample.take() } : {}),
        busyTimeMsPerSecond: Math.round(r.busy),
        idleTimeMsPerSecond: Math.round(r.idle),
        backPressuredTimeMsPerSecond: Math.round(r.bp),
        accumulatedBusyTime: Math.round(acc.busy),
        accumulatedIdleTime: Math.round(acc.idle),
        accumulatedBackPressuredTime: Math.round(acc.bp),
        ...(watermark !== undefined && Number.isFinite(watermark) ? { watermark } : {}),
        ...(m?.pendingRecords != null ? { pendingRecords: m.pendingRecords } : {}),
      };
    });
  }
}

const clamp = (v: number) => Math.max(0, Math.min(1000, v));
