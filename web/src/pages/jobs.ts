// The overview (taskmanagers, slots, job counts, running jobs) and the running / completed job lists.
import { html } from 'htm/preact';
import { usePoll } from '../api.js';
import { fmtDuration, fmtTime } from '../format.js';
import { Card, Loading, StateBadge } from '../ui.js';

export interface JobOverview {
  jid: string;
  name: string;
  state: string;
  'start-time': number;
  'end-time': number;
  duration: number;
  tasks: Record<string, number>;
}

interface Overview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'jobs-finished': number;
  'jobs-cancelled': number;
  'jobs-failed': number;
  'sluice-version'?: string;
  'flink-version'?: string;
}

const TERMINAL = new Set(['FINISHED', 'CANCELED', 'FAILED']);

export function JobTable({ jobs, testId }: { jobs: JobOverview[]; testId: string }) {
  if (!jobs.length) return html`<p class="muted" data-testid=${testId}>No jobs.</p>`;
  const sorted = [...jobs].sort((a, b) => b['start-time'] - a['start-time']);
  return html`<table data-testid=${testId}>
    <thead><tr><th>Job name</th><th>Start time</th><th>Duration</th><th>End time</th><th>Tasks</th><th>Status</th></tr></thead>
    <tbody>${sorted.map((j) => html`<tr class="link-row" key=${j.jid}>
      <td><a href=${`#/job/${j.jid}/overview`}>${j.name}</a><div class="muted mono small">${j.jid}</div></td>
      <td class="nowrap">${fmtTime(j['start-time'])}</td>
      <td class="nowrap">${fmtDuration(j.duration)}</td>
      <td class="nowrap">${fmtTime(j['end-time'])}</td>
      <td>${j.tasks?.total ?? '–'}</td>
      <td><${StateBadge} state=${j.state} /></td>
    </tr>`)}</tbody>
  </table>`;
}

export function OverviewPage() {
  const overview = usePoll<Overview>('/overview');
  const jobs = usePoll<{ jobs: JobOverview[] }>('/jobs/overview');
  return html`<h1>Overview</h1>
    <${Loading} data=${overview.data} error=${overview.error}>${() => {
      const o = overview.data!;
      const tiles: [string, number | string, string][] = [
        ['Taskmanagers', o.taskmanagers, 'taskmanagers'],
        ['Task slots', `${o['slots-available']} / ${o['slots-total']} free`, 'slots'],
        ['Running jobs', o['jobs-running'], 'running'],
        ['Finished', o['jobs-finished'], 'finished'],
        ['Failed', o['jobs-failed'], 'failed'],
        ['Cancelled', o['jobs-cancelled'], 'cancelled'],
      ];
      return html`<div class="tiles">${tiles.map(([label, value, id]) => html`<div class="tile" data-testid=${`tile-${id}`}><div class="tile-value">${value}</div><div class="tile-label">${label}</div></div>`)}</div>
        <p class="muted small">sluice ${o['sluice-version'] ?? o['flink-version'] ?? ''}</p>`;
    }}<//>
    <${Card} title="Running jobs">
      <${Loading} data=${jobs.data} error=${jobs.error}>${() => html`<${JobTable} testId="running-jobs" jobs=${jobs.data!.jobs.filter((j) => !TERMINAL.has(j.state))} />`}<//>
    <//>
    <${Card} title="Completed jobs">
      <${Loading} data=${jobs.data} error=${jobs.error}>${() => html`<${JobTable} testId="completed-jobs-overview" jobs=${jobs.data!.jobs.filter((j) => TERMINAL.has(j.state))} />`}<//>
    <//>`;
}

export function JobListPage({ completed }: { completed: boolean }) {
  const jobs = usePoll<{ jobs: JobOverview[] }>('/jobs/overview');
  return html`<h1>${completed ? 'Completed jobs' : 'Running jobs'}</h1>
    <${Card} title=${completed ? 'Completed jobs' : 'Running jobs'}>
      <${Loading} data=${jobs.data} error=${jobs.error}>${() => html`<${JobTable} testId=${completed ? 'completed-jobs' : 'running-jobs'}
        jobs=${jobs.data!.jobs.filter((j) => TERMINAL.has(j.state) === completed)} />`}<//>
    <//>`;
}
