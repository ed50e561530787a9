// The taskmanagers (list; one with its memory, CPU, slots, metrics, logs and stdout) and the jobmanager
// (configuration, logs, stdout), from Flink's /taskmanagers and /jobmanager routes.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { usePoll } from '../api.js';
import { fmtBytes, fmtTime } from '../format.js';
import { Card, flatten, KeyValues, Loading, Tabs } from '../ui.js';

interface TaskManager {
  id: string;
  path: string;
  timeSinceLastHeartbeat: number;
  slotsNumber: number;
  freeSlots: number;
  hardware: { cpuCores: number; physicalMemory: number; freeMemory: number; managedMemory: number };
  memoryConfiguration?: Record<string, number>;
  metrics?: Record<string, unknown>;
}

export function TaskManagersPage() {
  const tms = usePoll<{ taskmanagers: TaskManager[] }>('/taskmanagers', 3000);
  return html`<h1>Task managers</h1><${Card} title="Task managers">
    <${Loading} data=${tms.data} error=${tms.error}>${() => tms.data!.taskmanagers.length === 0 ? html`<p class="muted" data-testid="taskmanagers">No taskmanager is registered.</p>` : html`<table data-testid="taskmanagers">
      <thead><tr><th>ID</th><th>Path</th><th>Last heartbeat</th><th>Slots</th><th>Free slots</th><th>CPU cores</th><th>Physical memory</th><th>Free memory</th></tr></thead>
      <tbody>${tms.data!.taskmanagers.map((t) => html`<tr key=${t.id}>
        <td><a href=${`#/taskmanager/${t.id}/metrics`}>${t.id}</a></td><td class="small">${t.path}</td><td>${fmtTime(t.timeSinceLastHeartbeat)}</td>
        <td class="num">${t.slotsNumber}</td><td class="num">${t.freeSlots}</td><td class="num">${t.hardware.cpuCores}</td>
        <td class="num">${fmtBytes(t.hardware.physicalMemory)}</td><td class="num">${fmtBytes(t.hardware.freeMemory)}</td></tr>`)}</tbody>
    </table>`}<//>
  <//>`;
}

/** Logs of a process: its main log, its stdout and the list of its log files, each as text (the last lines). */
function Logs({ base, kind }: { base: string; kind: 'log' | 'stdout' | 'logs' }) {
  const [file, setFile] = useState<string | null>(null);
  const list = usePoll<{ logs: { name: string; size: number; mtime?: number }[] }>(kind === 'logs' ? `${base}/logs` : null, 0);
  const path = kind === 'logs' ? (file ? `${base}/logs/${encodeURIComponent(file)}` : null) : `${base}/${kind}`;
  const text = usePoll<string>(path, 3000, true);
  const tail = (s: string) => s.split('\n').slice(-500).join('\n');
  return html`${kind === 'logs' ? html`<${Loading} data=${list.data} error=${list.error}>${() => html`<table>
      <thead><tr><th>Log file</th><th>Size</th><th>Modified</th></tr></thead>
      <tbody>${list.data!.logs.map((l) => html`<tr class=${`link-row${file === l.name ? ' selected' : ''}`} onClick=${() => setFile(l.name)}><td class="mono">${l.name}</td><td class="num">${fmtBytes(l.size)}</td><td>${fmtTime(l.mtime)}</td></tr>`)}</tbody>
    </table>`}<//>` : null}
    ${path ? html`<${Loading} data=${text.data} error=${text.error}>${() => html`<pre class="log" data-testid="log-text">${tail(text.data!) || '(empty)'}</pre>`}<//>` : null}`;
}

type MetricValues = { id: string; value: string }[];

/** A process's metrics (GET <base>/metrics, then ?get= every id): sizes shown as sizes. */
function useMetrics(base: string): Map<string, number> | undefined {
  const ids = usePoll<{ id: string }[]>(`${base}/metrics`, 0);
  const get = ids.data?.map((m) => m.id).join(',');
  const values = usePoll<MetricValues>(get ? `${base}/metrics?get=${encodeURIComponent(get)}` : null, 3000);
  return values.data && new Map(values.data.map((m) => [m.id, Number(m.value)]));
}

const isSize = (id: string) => /Memory|Heap|RSS/i.test(id) && !/Delay|Count|Segments/i.test(id);

export function TaskManagerPage({ id, tab }: { id: string; tab: string }) {
  const tm = usePoll<TaskManager>(`/taskmanagers/${id}`, 3000);
  const metrics = useMetrics(`/taskmanagers/${id}`);
  const base = `#/taskmanager/${id}`;
  const m = (k: string) => metrics?.get(k);
  return html`<h1>Task manager <span class="mono small">${id}</span></h1>
    <${Tabs} base=${base} current=${tab} tabs=${[['metrics', 'Metrics'], ['log', 'Log'], ['stdout', 'Stdout'], ['logs', 'Log list']]} />
    ${tab === 'log' || tab === 'stdout' || tab === 'logs' ? html`<${Card} title=${tab === 'stdout' ? 'Stdout' : tab === 'log' ? 'Log' : 'Log files'}><${Logs} base=${`/taskmanagers/${id}`} kind=${tab} /><//>`
      : html`<${Loading} data=${tm.data} error=${tm.error}>${() => {
        const t = tm.data!;
        const heapUsed = m('Status.JVM.Memory.Heap.Used') ?? Number(t.metrics?.heapUsed);
        const heapMax = m('Status.JVM.Memory.Heap.Max') ?? Number(t.metrics?.heapMax);
        return html`<div class="tiles">
            <div class="tile"><div class="tile-value">${t.slotsNumber - t.freeSlots} / ${t.slotsNumber}</div><div class="tile-label">Slots used</div></div>
            <div class="tile"><div class="tile-value">${fmtBytes(heapUsed)} / ${fmtBytes(heapMax)}</div><div class="tile-label">Heap used / max</div></div>
            <div class="tile"><div class="tile-value">${fmtBytes(m('Status.Node.Memory.RSS'))}</div><div class="tile-label">Resident memory</div></div>
            <div class="tile"><div class="tile-value">${m('Status.JVM.CPU.Load') === undefined ? '–' : `${Math.round(m('Status.JVM.CPU.Load')! * 100)}%`} of ${t.hardware.cpuCores}</div><div class="tile-label">CPU (of cores)</div></div>
            <div class="tile"><div class="tile-value">${fmtBytes(t.hardware.freeMemory)} / ${fmtBytes(t.hardware.physicalMemory)}</div><div class="tile-label">Free / physical memory</div></div>
          </div>
          <${Card} title="Metrics">${metrics
            ? html`<${KeyValues} testId="tm-metrics" rows=${[...metrics].map(([k, v]) => [k, isSize(k) ? fmtBytes(v) : String(v)] as [string, string])} />`
            : html`<${KeyValues} testId="tm-metrics" rows=${flatten(t.metrics ?? {})} />`}<//>`;
      }}<//>`}`;
}

export function JobManagerPage({ tab }: { tab: string }) {
  const config = usePoll<{ key: string; value: string }[]>(tab === 'config' ? '/jobmanager/config' : null, 0);
  return html`<h1>Job manager</h1>
    <${Tabs} base="#/jobmanager" current=${tab} tabs=${[['config', 'Configuration'], ['log', 'Log'], ['stdout', 'Stdout'], ['logs', 'Log list']]} />
    ${tab === 'log' || tab === 'stdout' || tab === 'logs' ? html`<${Card} title=${tab === 'stdout' ? 'Stdout' : tab === 'log' ? 'Log' : 'Log files'}><${Logs} base="/jobmanager" kind=${tab} /><//>`
      : html`<${Card} title="Configuration"><${Loading} data=${config.data} error=${config.error}>${() => html`<${KeyValues} testId="jobmanager-config" rows=${config.data!.map((e) => [e.key, e.value] as [string, string])} />`}<//><//>`}`;
}
