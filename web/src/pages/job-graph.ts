// The job graph and its live numbers: vertices (fused stages) laid out left to right by depth, edges
// labelled with their exchange (FORWARD, HASH, REBALANCE), and per vertex and per subtask records and bytes
// in and out, their rates, backpressure, busy time and the current watermark, from Flink's REST routes.
import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { usePoll } from '../api.js';
import { fmtBytes, fmtDuration, fmtNumber, fmtPercent, fmtRate, fmtWatermark } from '../format.js';
import { Card, ErrorLine, StateBadge } from '../ui.js';

interface VertexMetrics {
  'read-records': number;
  'write-records': number;
  'read-bytes': number;
  'write-bytes': number;
  'accumulated-busy-time'?: number;
}

export interface Vertex {
  id: string;
  name: string;
  parallelism: number;
  status: string;
  duration: number;
  metrics: VertexMetrics;
}

interface PlanNode {
  id: string;
  description: string;
  parallelism: number;
  inputs?: { id: string; ship_strategy: string; exchange?: string }[];
}

export interface JobDetails {
  jid: string;
  name: string;
  state: string;
  now: number;
  'start-time': number;
  duration: number;
  vertices: Vertex[];
  plan: { nodes: PlanNode[] };
}

interface Backpressure {
  status: string;
  'backpressure-level'?: string;
  subtasks?: { subtask: number; 'backpressure-level': string; ratio: number; busyRatio?: number; idleRatio?: number }[];
}

type Watermarks = { id: string; value: string }[];

interface Subtask {
  subtask: number;
  status: string;
  attempt: number;
  host?: string;
  endpoint?: string;
  duration: number;
  'taskmanager-id'?: string;
  metrics: VertexMetrics;
}

/** Rates from the difference between the last two polls of a counter (per second). */
function useRates(key: string, now: number, values: Record<string, number>): Record<string, number | undefined> {
  const last = useRef(new Map<string, { now: number; values: Record<string, number>; rates: Record<string, number | undefined> }>());
  const prev = last.current.get(key);
  if (!prev || prev.now === now) {
    if (!prev) last.current.set(key, { now, values, rates: {} });
    return prev?.rates ?? {};
  }
  const dt = (now - prev.now) / 1000;
  const rates: Record<string, number | undefined> = {};
  for (const [k, v] of Object.entries(values)) rates[k] = dt > 0 ? Math.max(0, (v - (prev.values[k] ?? v)) / dt) : undefined;
  last.current.set(key, { now, values, rates });
  return rates;
}

const maxOf = (xs: (number | undefined)[]) => xs.reduce<number | undefined>((m, x) => (x === undefined ? m : m === undefined ? x : Math.max(m, x)), undefined);
const minWatermark = (w: Watermarks | undefined) => {
  const values = (w ?? []).filter((e) => e.id.endsWith('currentInputWatermark') || e.id.endsWith('currentOutputWatermark')).map((e) => Number(e.value));
  return values.length ? Math.min(...values) : undefined;
};

// ---- the graph -------------------------------------------------------------------------------------------

const W = 230;
const H = 100;
const GAP_X = 64;
const GAP_Y = 26;

function layout(nodes: PlanNode[]) {
  const depth = new Map<string, number>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depthOf = (id: string, seen = new Set<string>()): number => {
    if (depth.has(id)) return depth.get(id)!;
    if (seen.has(id)) return 0;
    seen.add(id);
    const ins = byId.get(id)?.inputs ?? [];
    const d = ins.length ? Math.max(...ins.map((i) => (byId.has(i.id) ? depthOf(i.id, seen) + 1 : 0))) : 0;
    depth.set(id, d);
    return d;
  };
  nodes.forEach((n) => depthOf(n.id));
  const columns: PlanNode[][] = [];
  for (const n of nodes) (columns[depth.get(n.id)!] ??= []).push(n);
  const tallest = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const height = tallest * (H + GAP_Y) + GAP_Y;
  const pos = new Map<string, { x: number; y: number }>();
  columns.forEach((col, d) => {
    const top = (height - col.length * (H + GAP_Y) + GAP_Y) / 2;
    col.forEach((n, i) => pos.set(n.id, { x: GAP_X / 2 + d * (W + GAP_X), y: top + i * (H + GAP_Y) }));
  });
  return { pos, width: columns.length * (W + GAP_X), height };
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const LINE = 29;

/** A vertex name on two lines of the box, broken after an operator of the chain (`->`) or a space when it can. */
function nameLines(name: string): string[] {
  if (name.length <= LINE) return [name];
  const cut = Math.max(name.lastIndexOf(' -> ', LINE), name.lastIndexOf(' ', LINE));
  const at = cut > LINE / 2 ? cut : LINE;
  return [name.slice(0, at), truncate(name.slice(at).trimStart(), LINE)];
}

function Graph({ job, levels, busy, selected, onSelect }: {
  job: JobDetails; levels: Record<string, string | undefined>; busy: Record<string, number | undefined>; selected: string | null; onSelect: (id: string) => void;
}) {
  const nodes = job.plan.nodes;
  const { pos, width, height } = layout(nodes);
  const vertex = new Map(job.vertices.map((v) => [v.id, v]));
  return html`<div class="graph-wrap"><svg class="graph" data-testid="job-graph" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} style=${`min-width:${Math.round(width * 0.7)}px`}>
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#7a8899" /></marker></defs>
    ${nodes.flatMap((n) => (n.inputs ?? []).filter((i) => pos.has(i.id)).map((i) => {
      const a = pos.get(i.id)!;
      const b = pos.get(n.id)!;
      const x1 = a.x + W; const y1 = a.y + H / 2; const x2 = b.x; const y2 = b.y + H / 2;
      const mx = (x1 + x2) / 2;
      return html`<g class="edge" key=${`${i.id}-${n.id}`}>
        <path d=${`M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`} marker-end="url(#arrow)" />
        <text class="edge-label" x=${mx} y=${(y1 + y2) / 2 - 6} text-anchor="middle">${i.ship_strategy}</text>
      </g>`;
    }))}
    ${nodes.map((n) => {
      const p = pos.get(n.id)!;
      const v = vertex.get(n.id);
      const level = levels[n.id];
      return html`<g class=${`vertex bp-${level ?? 'none'}${selected === n.id ? ' selected' : ''}`} key=${n.id} transform=${`translate(${p.x},${p.y})`}
          onClick=${() => onSelect(n.id)} data-testid="graph-vertex">
        <rect width=${W} height=${H} rx="6" />
        <title>${n.description}</title>
        ${nameLines(v?.name ?? n.description).map((line, i) => html`<text x="10" y=${19 + i * 15} class="v-name">${line}</text>`)}
        <text x="10" y="55" class="v-line">Parallelism: ${n.parallelism}</text>
        <text x="10" y="72" class="v-line">Backpressured (max): ${level ?? '–'}</text>
        <text x="10" y="89" class="v-line">Busy (max): ${fmtPercent(busy[n.id])}</text>
      </g>`;
    })}
  </svg></div>`;
}

// ---- per vertex ------------------------------------------------------------------------------------------

function VertexRow({ job, v, selected, onSelect, report }: {
  job: JobDetails; v: Vertex; selected: boolean; onSelect: () => void; report: (id: string, level: string | undefined, busy: number | undefined) => void;
}) {
  const running = job.state === 'RUNNING';
  const bp = usePoll<Backpressure>(running ? `/jobs/${job.jid}/vertices/${v.id}/backpressure` : null, 2000);
  const wm = usePoll<Watermarks>(running ? `/jobs/${job.jid}/vertices/${v.id}/watermarks` : null, 2000);
  const m = v.metrics;
  const rates = useRates(v.id, job.now, { in: m['read-records'], out: m['write-records'] });
  const level = bp.data?.status === 'ok' ? bp.data['backpressure-level'] : undefined;
  const busy = maxOf((bp.data?.subtasks ?? []).map((s) => s.busyRatio));
  report(v.id, level, busy);
  return html`<tr class=${`link-row${selected ? ' selected' : ''}`} onClick=${onSelect} data-testid="vertex-row" data-vertex=${v.id}>
    <td>${v.name}</td>
    <td><${StateBadge} state=${v.status} /></td>
    <td class="num">${v.parallelism}</td>
    <td class="num"><span data-testid="records-in">${fmtNumber(m['read-records'])}</span><div class="muted small">${fmtRate(rates.in)} · ${fmtBytes(m['read-bytes'])}</div></td>
    <td class="num"><span data-testid="records-out">${fmtNumber(m['write-records'])}</span><div class="muted small">${fmtRate(rates.out)} · ${fmtBytes(m['write-bytes'])}</div></td>
    <td><span class=${`bp bp-${level ?? 'none'}`}>${level ?? '–'}</span></td>
    <td class="num">${fmtPercent(busy)}</td>
    <td class="small nowrap" data-testid="watermark">${wm.error ? '–' : fmtWatermark(minWatermark(wm.data))}</td>
  </tr>`;
}

function SubtaskTable({ job, vertexId }: { job: JobDetails; vertexId: string }) {
  const running = job.state === 'RUNNING';
  const detail = usePoll<{ name: string; subtasks: Subtask[] }>(`/jobs/${job.jid}/vertices/${vertexId}`, 2000);
  const bp = usePoll<Backpressure>(running ? `/jobs/${job.jid}/vertices/${vertexId}/backpressure` : null, 2000);
  const wm = usePoll<Watermarks>(running ? `/jobs/${job.jid}/vertices/${vertexId}/watermarks` : null, 2000);
  if (detail.error && !detail.data) return html`<${ErrorLine} error=${detail.error} what="Subtasks" />`;
  if (!detail.data) return html`<p class="muted">Loading subtasks…</p>`;
  const bpOf = new Map((bp.data?.subtasks ?? []).map((s) => [s.subtask, s]));
  const wmOf = (i: number) => wm.data?.find((e) => e.id === `${i}.currentInputWatermark`)?.value;
  return html`<table data-testid="subtasks">
    <thead><tr><th>Subtask</th><th>Status</th><th>Taskmanager</th><th>Attempt</th><th>Duration</th><th class="num">Received<div class="muted small">records · bytes</div></th>
      <th class="num">Sent<div class="muted small">records · bytes</div></th><th>Backpressure</th><th>Busy</th><th>Watermark</th></tr></thead>
    <tbody>${detail.data.subtasks.map((s) => {
      const b = bpOf.get(s.subtask);
      return html`<tr key=${s.subtask}>
        <td class="num">${s.subtask}</td><td><${StateBadge} state=${s.status} /></td>
        <td class="small mono">${s['taskmanager-id'] ? html`<a href=${`#/taskmanager/${s['taskmanager-id']}`}>${s['taskmanager-id']}</a>` : (s.endpoint ?? s.host ?? '–')}</td>
        <td class="num">${s.attempt}</td><td>${fmtDuration(s.duration)}</td>
        <td class="num">${fmtNumber(s.metrics['read-records'])}<div class="muted small">${fmtBytes(s.metrics['read-bytes'])}</div></td>
        <td class="num">${fmtNumber(s.metrics['write-records'])}<div class="muted small">${fmtBytes(s.metrics['write-bytes'])}</div></td>
        <td><span class=${`bp bp-${b?.['backpressure-level'] ?? 'none'}`}>${b ? `${b['backpressure-level']} (${fmtPercent(b.ratio)})` : '–'}</span></td>
        <td class="num">${fmtPercent(b?.busyRatio)}</td>
        <td class="small nowrap">${fmtWatermark(wmOf(s.subtask))}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

export function JobGraphTab({ job }: { job: JobDetails }) {
  const [selected, setSelected] = useState<string | null>(null);
  const [, setVersion] = useState(0);
  const live = useRef(new Map<string, { level: string | undefined; busy: number | undefined }>());
  const report = (id: string, level: string | undefined, busy: number | undefined) => {
    const was = live.current.get(id);
    if (was?.level === level && was?.busy === busy) return;
    live.current.set(id, { level, busy });
    queueMicrotask(() => setVersion((x) => x + 1));
  };
  const levels = Object.fromEntries([...live.current].map(([id, l]) => [id, l.level]));
  const busy = Object.fromEntries([...live.current].map(([id, l]) => [id, l.busy]));
  const sel = selected && job.vertices.some((v) => v.id === selected) ? selected : null;
  return html`
    <${Card} title="Job graph"><${Graph} job=${job} levels=${levels} busy=${busy} selected=${sel} onSelect=${setSelected} /><//>
    <${Card} title="Vertices">
      <table data-testid="vertices">
        <thead><tr><th>Name</th><th>Status</th><th>Parallelism</th><th class="num">Received<div class="muted small">records · rate · bytes</div></th>
          <th class="num">Sent<div class="muted small">records · rate · bytes</div></th><th>Backpressure</th><th>Busy</th><th>Watermark</th></tr></thead>
        <tbody>${job.vertices.map((v) => html`<${VertexRow} key=${v.id} job=${job} v=${v} selected=${sel === v.id} onSelect=${() => setSelected(v.id)} report=${report} />`)}</tbody>
      </table>
      <p class="muted small">Click a vertex (in the graph or the table) for its subtasks.</p>
    <//>
    ${sel ? html`<${Card} title=${`Subtasks of ${job.vertices.find((v) => v.id === sel)?.name ?? sel}`}><${SubtaskTable} job=${job} vertexId=${sel} /><//>` : null}`;
}
