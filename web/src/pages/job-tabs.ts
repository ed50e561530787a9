// The job page's other tabs: exceptions history, checkpoints (counts, latest, history, configuration),
// the job's configuration, and a live tail of a sample of what each of its sinks writes.
import { html } from 'htm/preact';
import { usePoll } from '../api.js';
import { fmtBytes, fmtDuration, fmtTime } from '../format.js';
import { Card, flatten, KeyValues, Loading, StateBadge } from '../ui.js';

interface ExceptionEntry {
  exceptionName: string;
  stacktrace: string;
  timestamp: number;
  taskName: string | null;
  taskManagerId?: string | null;
  endpoint?: string | null;
}

export function ExceptionsTab({ jobId }: { jobId: string }) {
  const ex = usePoll<{ 'root-exception': string | null; exceptionHistory: { entries: ExceptionEntry[]; truncated: boolean } }>(`/jobs/${jobId}/exceptions`, 3000);
  return html`<${Card} title="Exception history">
    <${Loading} data=${ex.data} error=${ex.error}>${() => {
      const entries = ex.data!.exceptionHistory?.entries ?? [];
      if (!entries.length) return html`<p class="muted" data-testid="exceptions">No exceptions: the job has not failed.</p>`;
      return html`<div data-testid="exceptions">${entries.map((e) => html`<details class="exception" key=${`${e.timestamp}-${e.exceptionName}`}>
        <summary><span class="mono small">${fmtTime(e.timestamp)}</span> <strong>${e.exceptionName}</strong>
          <span class="muted"> in ${e.taskName ?? 'the job'}${e.taskManagerId ? ` on ${e.taskManagerId}` : ''}</span></summary>
        <pre>${e.stacktrace}</pre>
      </details>`)}${ex.data!.exceptionHistory.truncated ? html`<p class="muted">Older exceptions were dropped (web.exception-history-size).</p>` : null}</div>`;
    }}<//>
  <//>`;
}

interface CheckpointStat {
  id: number;
  status: string;
  is_savepoint: boolean;
  trigger_timestamp: number;
  latest_ack_timestamp: number;
  checkpointed_size: number;
  end_to_end_duration: number;
  external_path?: string;
  failure_message?: string;
  discarded?: boolean;
}

interface Checkpoints {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  latest: { completed: CheckpointStat | null; savepoint: CheckpointStat | null; failed: CheckpointStat | null; restored: { id: number; restore_timestamp: number; is_savepoint: boolean; external_path: string } | null };
  history: CheckpointStat[];
}

export function CheckpointsTab({ jobId }: { jobId: string }) {
  const cp = usePoll<Checkpoints>(`/jobs/${jobId}/checkpoints`, 2000);
  const config = usePoll<Record<string, unknown>>(`/jobs/${jobId}/checkpoints/config`, 0);
  return html`<${Loading} data=${cp.data} error=${cp.error}>${() => {
    const { counts, latest, history } = cp.data!;
    const latestRow = (label: string, s: CheckpointStat | null) => html`<tr><td>${label}</td>
      <td>${s ? `#${s.id}` : '–'}</td><td>${s ? fmtTime(s.latest_ack_timestamp) : '–'}</td><td class="mono small">${s?.external_path ?? s?.failure_message ?? '–'}</td></tr>`;
    return html`
      <div class="tiles">${(['total', 'in_progress', 'completed', 'failed', 'restored'] as const).map((k) => html`<div class="tile" data-testid=${`cp-${k}`}>
        <div class="tile-value">${counts[k]}</div><div class="tile-label">${k === 'total' ? 'Triggered' : k === 'in_progress' ? 'In progress' : k[0].toUpperCase() + k.slice(1)}</div></div>`)}</div>
      <${Card} title="Latest">
        <table><thead><tr><th></th><th>ID</th><th>Time</th><th>Path / failure</th></tr></thead><tbody>
          ${latestRow('Completed checkpoint', latest.completed)}${latestRow('Savepoint', latest.savepoint)}${latestRow('Failed', latest.failed)}
          <tr><td>Restore</td><td>${latest.restored ? (latest.restored.is_savepoint ? 'savepoint' : `#${latest.restored.id}`) : '–'}</td>
            <td>${latest.restored ? fmtTime(latest.restored.restore_timestamp) : '–'}</td><td class="mono small">${latest.restored?.external_path ?? 'None'}</td></tr>
        </tbody></table>
      <//>
      <${Card} title="History">
        ${history.length ? html`<table data-testid="checkpoint-history"><thead><tr><th>ID</th><th>Status</th><th>Type</th><th>Triggered</th><th>Acknowledged</th><th>End to end</th><th>Checkpointed size</th><th>Path</th></tr></thead>
          <tbody>${history.map((s) => html`<tr key=${s.id}><td class="num">${s.id}</td><td><${StateBadge} state=${s.status} /></td><td>${s.is_savepoint ? 'Savepoint' : 'Checkpoint'}</td>
            <td class="nowrap">${fmtTime(s.trigger_timestamp)}</td><td class="nowrap">${fmtTime(s.latest_ack_timestamp)}</td><td class="nowrap">${fmtDuration(s.end_to_end_duration)}</td>
            <td class="num nowrap">${fmtBytes(s.checkpointed_size)}</td><td class="mono small break">${s.external_path ?? s.failure_message ?? ''}${s.discarded ? ' (discarded)' : ''}</td></tr>`)}</tbody></table>`
          : html`<p class="muted">No checkpoints yet (execution.checkpointing.interval sets how often they are taken).</p>`}
      <//>
      <${Card} title="Configuration">
        <${Loading} data=${config.data} error=${config.error}>${() => html`<${KeyValues} rows=${flatten(config.data)} />`}<//>
      <//>`;
  }}<//>`;
}

export function ConfigurationTab({ jobId }: { jobId: string }) {
  const config = usePoll<Record<string, unknown>>(`/jobs/${jobId}/config`, 0);
  return html`<${Card} title="Job configuration">
    <${Loading} data=${config.data} error=${config.error}>${() => html`<${KeyValues} testId="job-config" rows=${flatten(config.data).filter(([k]) => k !== 'jid' && k !== 'name')} />`}<//>
  <//>`;
}

interface OutputSample { 'max-rows': number; sinks: { id: string; table: string; connector: string; rows: string[] }[] }

/** The newest rows each sink of the job wrote, whatever its connector (GET /jobs/:jobid/output-sample), refreshed. */
export function OutputTab({ jobId }: { jobId: string }) {
  const sample = usePoll<OutputSample>(`/jobs/${jobId}/output-sample`, 1000);
  return html`<${Loading} data=${sample.data} error=${sample.error}>${() => html`
    <p class="muted small">The last ${sample.data!['max-rows']} rows each sink wrote, as changelog rows (<code>+I</code> insert, <code>-U</code>/<code>+U</code> update, <code>-D</code> delete), newest last; refreshed every second, as fresh as the taskmanager's heartbeat.</p>
    ${sample.data!.sinks.map((s) => html`<${Card} title=${`${s.table} (${s.connector})`}>
      <pre class="log tail" data-testid="output-sink" data-table=${s.table}>${s.rows.join('\n') || '(nothing written yet)'}</pre>
    <//>`)}`}<//>`;
}
