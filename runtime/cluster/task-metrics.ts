// Per-operator figures a task reports with each heartbeat: record counts from the runner's metrics and
// Flink's busy/idle/backPressuredTimeMsPerSecond, derived from where each source's chain spent its time
// since the last report. All operators run chained behind their source (one task, as a Flink operator
// chain), so an operator takes its chain's figures (the worst of several, behind a union); a sink counts
// the time spent waiting for it as busy, the operators before it as backpressured, as Flink shows a slow sink.
// At parallelism > 1 the task samples the job (the coordinator's sums) and each subtask (its last report) alike;
// an operator behind an exchange takes the exchange's input watermark where the runner has one (a subtask's
// inbox: the least over its channels, as Flink's input watermark), else its sources'.
import type { JobRun } from '../exec/job-runner.js';
import { describe } from '../exec/describe.js';
import type { ChainTimes } from '../exec/source-pump.js';
import { inputsOf, operatorsOf, type JobPlan, type PlanNode } from '../core/plan.js';

/** What is sampled: a runner's figures, or one subtask's (exec/parallel/parallel-runner.ts SubtaskView). */
type Figures = Pick<JobRun, 'metrics' | 'times' | 'watermarks'>;
import type { OperatorReport } from './protocol.js';

interface Rates { busy: number; idle: number; bp: number }

export class TaskMetrics {
  private readonly sourcesOf = new Map<string, string[]>();
  private last: { at: number; times: Map<string, ChainTimes> } | null = null;
  /** The operators as the user wrote them (a fused node's calcs, no exchanges): the vertices reported. */
  private readonly operators: PlanNode[];
  /** The plan's nodes by id, and for each operator the plan nodes its input watermark comes from. */
  private readonly byId: Map<string, PlanNode>;
  private readonly watermarkInputs = new Map<string, string[]>();

  constructor(private readonly plan: JobPlan) {
    this.operators = operatorsOf(plan);
    this.byId = new Map(plan.nodes.map((n) => [n.id, n]));
    for (const n of plan.nodes) {
      if (n.kind === 'fused') for (const c of n.calcs) this.watermarkInputs.set(c.id, [n.input]);
      else if (n.kind !== 'source') this.watermarkInputs.set(n.id, inputsOf(n));
    }
    for (const n of this.operators) {
      const ins = inputsOf(n);
      this.sourcesOf.set(n.id, ins.length === 0 ? [n.id] : [...new Set(ins.flatMap((i) => this.sourcesOf.get(i) ?? []))]);
    }
  }

  sample(runner: Figures | null): OperatorReport[] {
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
      // A source's is what it emitted; another operator's is the least of its inputs'.
      const watermark = n.kind === 'source' ? runner?.watermarks.get(n.id) : this.inputWatermark(this.watermarkInputs.get(n.id) ?? [], runner);
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

  /** The least watermark over these plan nodes' outputs, through exchanges the runner has an input watermark for; undefined before all have one. */
  private inputWatermark(ids: readonly string[], runner: Figures | null): number | undefined {
    if (!runner || ids.length === 0) return undefined;
    let min = Infinity;
    for (const id of ids) {
      const n = this.byId.get(id);
      const w = !n ? undefined
        : n.kind === 'source' || (n.kind === 'exchange' && runner.watermarks.has(id)) ? runner.watermarks.get(id)
        : this.inputWatermark(inputsOf(n), runner);
      if (w === undefined) return undefined;
      min = Math.min(min, w);
    }
    return min;
  }
}

const clamp = (v: number) => Math.max(0, Math.min(1000, v));
