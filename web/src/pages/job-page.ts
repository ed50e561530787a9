// One job: its header (state, times), the actions (trigger savepoint, stop with savepoint, cancel) and the
// tabs: overview (graph and live numbers), exceptions, checkpoints, configuration, output, reconcile.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, get, usePoll } from '../api.js';
import { fmtDuration, fmtTime } from '../format.js';
import { Loading, StateBadge, Tabs } from '../ui.js';
import { JobGraphTab, type JobDetails } from './job-graph.js';
import { CheckpointsTab, ConfigurationTab, ExceptionsTab, OutputTab } from './job-tabs.js';
import { ReconcileTab } from './reconcile.js';

interface SavepointStatus {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  operation?: { location?: string; 'failure-cause'?: { class?: string; message?: string; 'stack-trace'?: string } };
}

type Operation = { what: string; state: 'running' | 'done' | 'failed'; message: string };

async function follow(jobId: string, triggerId: string): Promise<SavepointStatus> {
  for (;;) {
    const s = await get<SavepointStatus>(`/jobs/${jobId}/savepoints/${triggerId}`);
    if (s.status.id === 'COMPLETED') return s;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function Actions({ job }: { job: JobDetails }) {
  const [dir, setDir] = useState('');
  const [drain, setDrain] = useState(false);
  const [op, setOp] = useState<Operation | null>(null);
  const live = job.state === 'RUNNING';
  const savepoint = async (stop: boolean) => {
    const what = stop ? 'Stop with savepoint' : 'Savepoint';
    setOp({ what, state: 'running', message: 'in progress…' });
    try {
      const body = stop ? { targetDirectory: dir || null, drain } : { 'target-directory': dir || null, 'cancel-job': false };
      const { 'request-id': trigger } = await api<{ 'request-id': string }>('POST', `/jobs/${job.jid}/${stop ? 'stop' : 'savepoints'}`, body);
      const s = await follow(job.jid, trigger);
      const cause = s.operation?.['failure-cause'];
      if (s.operation?.location) setOp({ what, state: 'done', message: s.operation.location });
      else setOp({ what, state: 'failed', message: cause?.message ?? cause?.['stack-trace'] ?? 'failed' });
    } catch (e) {
      setOp({ what, state: 'failed', message: (e as Error).message });
    }
  };
  const cancel = async () => {
    if (!confirm(`Cancel job ${job.name}?`)) return;
    setOp({ what: 'Cancel', state: 'running', message: 'cancelling…' });
    try {
      await api('PATCH', `/jobs/${job.jid}?mode=cancel`);
      setOp({ what: 'Cancel', state: 'done', message: 'requested' });
    } catch (e) {
      setOp({ what: 'Cancel', state: 'failed', message: (e as Error).message });
    }
  };
  const terminal = ['FINISHED', 'CANCELED', 'FAILED'].includes(job.state);
  return html`<div class="job-actions">
    ${terminal ? null : html`
      <input type="text" placeholder="savepoint directory (default: state.savepoints.dir)" value=${dir} onInput=${(e: Event) => setDir((e.target as HTMLInputElement).value)} data-testid="savepoint-dir" />
      <label class="check"><input type="checkbox" checked=${drain} onChange=${(e: Event) => setDrain((e.target as HTMLInputElement).checked)} /> drain</label>
      <button disabled=${!live} onClick=${() => savepoint(false)} data-testid="trigger-savepoint">Trigger savepoint</button>
      <button disabled=${!live} onClick=${() => savepoint(true)} data-testid="stop-with-savepoint">Stop with savepoint</button>
      <button class="danger" onClick=${cancel} data-testid="cancel-job">Cancel job</button>`}
    ${op ? html`<p class=${`op op-${op.state}`} data-testid="operation">${op.what}: <span class="mono" data-testid="operation-result">${op.message}</span></p>` : null}
  </div>`;
}

export function JobPage({ id, tab }: { id: string; tab: string }) {
  const job = usePoll<JobDetails>(`/jobs/${id}`, 1000);
  const base = `#/job/${id}`;
  return html`<${Loading} data=${job.data} error=${job.error}>${() => {
    const j = job.data!;
    return html`<div class="job-header">
        <h1>${j.name} <${StateBadge} state=${j.state} /></h1>
        <div class="muted small mono">${j.jid}</div>
        <div class="small">Started ${fmtTime(j['start-time'])} · running for ${fmtDuration(j.duration)}</div>
        <${Actions} job=${j} />
      </div>
      <${Tabs} base=${base} current=${tab} tabs=${[['overview', 'Overview'], ['exceptions', 'Exceptions'], ['checkpoints', 'Checkpoints'], ['configuration', 'Configuration'], ['output', 'Output'], ['reconcile', 'Reconcile']]} />
      ${tab === 'exceptions' ? html`<${ExceptionsTab} jobId=${id} />`
        : tab === 'checkpoints' ? html`<${CheckpointsTab} jobId=${id} />`
        : tab === 'configuration' ? html`<${ConfigurationTab} jobId=${id} />`
        : tab === 'output' ? html`<${OutputTab} jobId=${id} />`
        : tab === 'reconcile' ? html`<${ReconcileTab} jobId=${id} />`
        : html`<${JobGraphTab} job=${j} />`}`;
  }}<//>`;
}
