// The job page's Reconcile tab (SPEC §12, issue 15): the latest `sluice reconcile` report of the job, run by
// the jobmanager (POST /jobs/:jobid/reconcile, followed through GET .../reconcile/latest): the checkpoint
// and input range it covers, per sink table matched/missing/extra/changed/explained, the explained
// differences by reason, examples with key, expected and found values, the notes and the CLI's exit status.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, ApiError, usePoll } from '../api.js';
import { fmtDuration, fmtNumber, fmtTime } from '../format.js';
import { Card, ErrorLine, StateBadge } from '../ui.js';

type Values = Record<string, unknown> | null;
interface Example { kind: 'missing' | 'extra' | 'changed'; key: Values; expected: Values; found: Values; reason?: string }
interface TableReport {
  table: string; connector: string; matched: number; missing: number; extra: number; changed: number; explained: number;
  explanations: Record<string, number>; key: string[]; examples: Example[]; notReconciled?: string;
}
interface Report {
  ok: boolean; job: string;
  checkpoint: { kind: string; id: number | string; path: string; timestamp: number };
  input: { table: string; range: string; records: number | null }[];
  tables: TableReport[]; notes: string[];
}
interface Run { status: 'RUNNING' | 'COMPLETED' | 'FAILED'; 'start-time': number; 'end-time': number | null; 'exit-code': number | null; report: Report | null; error: string | null }

/** Values as the CLI's report shows them: rows hold timestamps as epoch millis, shown in SQL spelling (UTC). */
function show(row: Values): string {
  if (row === null) return '(none)';
  const value = (k: string, v: unknown) => (typeof v === 'number' && /time|ts|start|end|date/i.test(k) && v > 1e11
    ? new Date(v).toISOString().replace('T', ' ').replace('Z', '') : JSON.stringify(v));
  return '{' + Object.entries(row).map(([k, v]) => `${k}: ${value(k, v)}`).join(', ') + '}';
}

function verdict(run: Run): { cls: string; text: string } {
  if (run.status === 'RUNNING') return { cls: 'op-running', text: `running since ${fmtTime(run['start-time'])}…` };
  if (run.status === 'FAILED') return { cls: 'op-failed', text: `exit 2: could not run: ${run.error}` };
  const r = run.report!;
  const unexplained = r.tables.reduce((s, t) => s + t.missing + t.extra + t.changed, 0);
  return r.ok ? { cls: 'op-done', text: 'exit 0: OK, every difference is explained' }
    : { cls: 'op-failed', text: `exit 1: NOT OK, ${unexplained} row(s) differ without an explanation` };
}

function ReportView({ report }: { report: Report }) {
  const c = report.checkpoint;
  const examples = report.tables.flatMap((t) => t.examples.map((e) => ({ table: t.table, ...e })));
  return html`
    <${Card} title="Range">
      <p class="small" data-testid="reconcile-checkpoint">Against ${c.kind} ${c.id} (<span class="mono">${c.path}</span>, taken ${fmtTime(c.timestamp)})</p>
      <table><thead><tr><th>Input table</th><th>Range</th><th class="num">Records</th></tr></thead>
        <tbody>${report.input.map((i) => html`<tr><td>${i.table}</td><td class="mono small">${i.range}</td><td class="num">${fmtNumber(i.records)}</td></tr>`)}</tbody></table>
    <//>
    <${Card} title="Sink tables">
      <table data-testid="reconcile-tables"><thead><tr><th>Table</th><th>Connector</th><th class="num">Matched</th><th class="num">Missing</th><th class="num">Extra</th><th class="num">Changed</th><th class="num">Explained</th><th>Explained differences</th></tr></thead>
        <tbody>${report.tables.map((t) => html`<tr key=${t.table} data-testid="reconcile-table" data-table=${t.table}>
          <td>${t.table}</td><td>${t.connector}</td>
          ${t.notReconciled ? html`<td colspan="6" class="muted">not reconciled: ${t.notReconciled}</td>` : html`
            ${(['matched', 'missing', 'extra', 'changed', 'explained'] as const).map((k) => html`<td class="num" data-testid=${`rc-${k}`}>${fmtNumber(t[k])}</td>`)}
            <td data-testid="rc-explanations">${Object.entries(t.explanations).map(([why, n]) => `${fmtNumber(n)} ${why}`).join(', ') || '–'}</td>`}
        </tr>`)}</tbody></table>
    <//>
    <${Card} title="Examples">
      ${examples.length ? html`<table data-testid="reconcile-examples"><thead><tr><th>Table</th><th>Difference</th><th>Key</th><th>Expected</th><th>Found</th><th>Explanation</th></tr></thead>
        <tbody>${examples.map((e) => html`<tr data-testid="reconcile-example" data-kind=${e.kind}><td>${e.table}</td><td>${e.kind}</td>
          <td class="mono small break">${show(e.key)}</td><td class="mono small break">${show(e.expected)}</td><td class="mono small break">${show(e.found)}</td>
          <td class="small">${e.reason ?? 'unexplained'}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">No differences: every row the batch computed is in the sinks as it is.</p>`}
    <//>
    ${report.notes.length ? html`<${Card} title="Notes"><ul data-testid="reconcile-notes">${report.notes.map((n) => html`<li class="small">${n}</li>`)}</ul><//>` : null}`;
}

export function ReconcileTab({ jobId }: { jobId: string }) {
  const latest = usePoll<Run>(`/jobs/${jobId}/reconcile/latest`, 1000);
  const [startError, setStartError] = useState<Error | undefined>(undefined);
  const notYet = latest.error instanceof ApiError && latest.error.status === 404;
  const run = notYet ? undefined : latest.data;
  const start = async () => {
    setStartError(undefined);
    try {
      await api('POST', `/jobs/${jobId}/reconcile`);
      latest.reload();
    } catch (e) {
      setStartError(e as Error);
    }
  };
  const v = run ? verdict(run) : null;
  return html`
    <${Card} title="Reconcile" actions=${html`<button onClick=${start} disabled=${run?.status === 'RUNNING'} data-testid="start-reconcile">Reconcile now</button>`}>
      <p class="muted small">Re-runs the job's logic as a batch over the input its streaming run consumed, up to its latest completed checkpoint or savepoint, reads what each sink holds now and compares (<code>sluice reconcile</code>). The job keeps running; nothing is written to its sinks.</p>
      <${ErrorLine} error=${startError} what="Could not start" />
      ${notYet ? html`<p class="muted" data-testid="reconcile-status">Not reconciled yet.</p>`
        : !run ? html`<${ErrorLine} error=${latest.error} />`
        : html`<p class=${`op ${v!.cls}`} data-testid="reconcile-status"><${StateBadge} state=${run.status} /> <span data-testid="reconcile-verdict">${v!.text}</span>
            ${run['end-time'] ? html`<span class="muted small"> · started ${fmtTime(run['start-time'])}, took ${fmtDuration(run['end-time'] - run['start-time'])}</span>` : null}</p>`}
    <//>
    ${run?.report ? html`<${ReportView} report=${run.report} />` : null}`;
}
