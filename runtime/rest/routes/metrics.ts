// GET /metrics in Prometheus' text format (0.0.4): cluster gauges, per-job gauges and per-operator
// counters, named as Flink's Prometheus reporter names them with a sluice_ prefix
// (flink_jobmanager_job_uptime → sluice_jobmanager_job_uptime).
import type { FastifyInstance } from 'fastify';
import type { JobManager } from '../../cluster/jobmanager.js';
import { jobMetricValues } from '../shapes.js';

type Labels = Record<string, string>;

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

class Exposition {
  private readonly families = new Map<string, { type: string; help: string; samples: string[] }>();

  add(name: string, type: 'gauge' | 'counter', help: string, value: number, labels: Labels = {}): void {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { type, help, samples: [] }));
    f.samples.push(`${name}${labelText(labels)} ${Number.isFinite(value) ? value : 0}`);
  }

  text(): string {
    let out = '';
    for (const [name, f] of this.families) out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n${f.samples.join('\n')}\n`;
    return out;
  }
}

export function prometheusText(jm: JobManager): string {
  const e = new Exposition();
  const tms = [...jm.taskManagers.values()];
  const jobs = [...jm.jobs.values()];
  e.add('sluice_jobmanager_numRegisteredTaskManagers', 'gauge', 'Registered taskmanagers.', tms.length);
  e.add('sluice_jobmanager_taskSlotsTotal', 'gauge', 'Task slots of all taskmanagers.', tms.reduce((s, t) => s + t.info.slots, 0));
  e.add('sluice_jobmanager_taskSlotsAvailable', 'gauge', 'Free task slots.', tms.reduce((s, t) => s + t.freeSlots, 0));
  e.add('sluice_jobmanager_numRunningJobs', 'gauge', 'Jobs not in a terminal state.', jobs.filter((j) => !j.terminal).length);
  const jobGauges: [string, string][] = [
    ['uptime', 'Milliseconds the job has been running without interruption.'],
    ['downtime', 'Milliseconds the job has been restarting.'],
    ['numRestarts', 'Restarts since the job was submitted.'],
    ['numberOfCompletedCheckpoints', 'Completed checkpoints and savepoints.'],
    ['numberOfFailedCheckpoints', 'Failed checkpoints and savepoints.'],
    ['lastCheckpointDuration', 'End-to-end duration of the last completed checkpoint (ms).'],
    ['lastCheckpointSize', 'Size of the last completed checkpoint (bytes).'],
  ];
  for (const job of jobs) {
    const labels = { job_id: job.id, job_name: job.name };
    const values = jobMetricValues(job);
    for (const [name, help] of jobGauges) e.add(`sluice_jobmanager_job_${name}`, 'gauge', help, values[name], labels);
    e.add('sluice_jobmanager_job_state', 'gauge', 'The job state (1 for the current one).', 1, { ...labels, state: job.state });
  }
  for (const job of jobs) {
    if (job.terminal) continue;
    for (const o of job.operators) {
      const labels = { job_id: job.id, job_name: job.name, operator_id: o.id, operator_name: o.name };
      e.add('sluice_taskmanager_job_task_operator_numRecordsIn', 'counter', 'Records the operator received.', o.recordsIn, labels);
      e.add('sluice_taskmanager_job_task_operator_numRecordsOut', 'counter', 'Records the operator emitted.', o.recordsOut, labels);
      e.add('sluice_taskmanager_job_task_operator_numLateRecordsDropped', 'counter', 'Records dropped for arriving after the watermark.', o.lateRecordsDropped, labels);
      e.add('sluice_taskmanager_job_task_operator_numBadRecordsSkipped', 'counter', 'Records skipped as malformed.', o.badRecordsSkipped, labels);
      e.add('sluice_taskmanager_job_task_operator_numRecordsLost', 'counter', 'Records a source accepted to lose (scan.offset-out-of-range).', o.recordsLost ?? 0, labels);
      e.add('sluice_taskmanager_job_task_busyTimeMsPerSecond', 'gauge', 'Milliseconds per second spent working.', o.busyTimeMsPerSecond, labels);
      e.add('sluice_taskmanager_job_task_idleTimeMsPerSecond', 'gauge', 'Milliseconds per second spent waiting for input.', o.idleTimeMsPerSecond, labels);
      e.add('sluice_taskmanager_job_task_backPressuredTimeMsPerSecond', 'gauge', 'Milliseconds per second spent waiting for downstream.', o.backPressuredTimeMsPerSecond, labels);
    }
  }
  return e.text();
}

export function metricsRoutes(app: FastifyInstance, jm: JobManager): void {
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(prometheusText(jm)));
}
