// The SQL page (beyond Flink's UI): a query compiled against the cluster's tables and previewed live. The
// jobmanager compiles it, runs it as a short-lived job with a collect sink and streams the changelog back
// (one JSON object a line); leaving the page or pressing Stop closes the stream, which cancels the job.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, request } from '../api.js';
import type { PreviewEvent } from '../../../runtime/rest/sql-preview-job.js';

const DEFAULT_QUERY = 'SELECT * FROM ';

export function SqlPage() {
  const [tables, setTables] = useState<string | null>(null);
  const [query, setQuery] = useState(DEFAULT_QUERY);
  const [limit, setLimit] = useState(100);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<Extract<PreviewEvent, { type: 'error' }> | null>(null);
  const [columns, setColumns] = useState<{ name: string; type: string }[]>([]);
  const [rows, setRows] = useState<{ kind: string; values: (string | null)[] }[]>([]);
  const running = useRef<AbortController | null>(null);

  useEffect(() => {
    get<{ ddl: string; tables: string[] }>('/sql/tables').then((t) => {
      setTables(t.ddl);
      if (t.tables.length) setQuery(`SELECT * FROM ${t.tables[0]}`);
    }).catch((e: Error) => { setTables(''); setStatus(`Could not read the cluster's tables: ${e.message}`); });
    return () => running.current?.abort();
  }, []);

  const stop = () => {
    running.current?.abort();
    running.current = null;
  };

  const run = async () => {
    stop();
    const controller = new AbortController();
    running.current = controller;
    setError(null);
    setColumns([]);
    setRows([]);
    setStatus('Compiling…');
    let buffered: { kind: string; values: (string | null)[] }[] = [];
    const flush = () => { if (buffered.length) { const b = buffered; buffered = []; setRows((r) => [...r, ...b]); } };
    const timer = setInterval(flush, 200);
    try {
      const res = await request('POST', '/sql/preview', { tables: tables ?? '', query, limit });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const onAbort = () => void reader.cancel().catch(() => {});
      controller.signal.addEventListener('abort', onAbort);
      let rest = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += value;
        const lines = rest.split('\n');
        rest = lines.pop()!;
        for (const line of lines.filter(Boolean)) {
          const ev = JSON.parse(line) as PreviewEvent;
          if (ev.type === 'error') { setError(ev); setStatus(''); }
          else if (ev.type === 'schema') { setColumns(ev.columns); setStatus('Running: rows arrive as the job produces them…'); }
          else if (ev.type === 'row') buffered.push(ev);
          else if (ev.type === 'end') setStatus(ev.reason);
        }
      }
      if (controller.signal.aborted) setStatus('Stopped: the preview job was cancelled.');
    } catch (e) {
      setStatus(controller.signal.aborted ? 'Stopped: the preview job was cancelled.' : `Failed: ${(e as Error).message}`);
    } finally {
      clearInterval(timer);
      flush();
      if (running.current === controller) running.current = null;
    }
  };

  const errorLine = error?.line;
  const errorText = error?.where === 'tables' ? tables : query;
  return html`<h1>SQL</h1>
    <section class="card">
      <header><h2>Query</h2><div class="actions">
        <label class="small">first <input type="number" min="1" max="10000" value=${limit} onInput=${(e: Event) => setLimit(Number((e.target as HTMLInputElement).value) || 100)} class="narrow" /> rows</label>
        <button onClick=${run} data-testid="sql-run">Run</button><button onClick=${stop} data-testid="sql-stop">Stop</button></div></header>
      <textarea class="sql" rows="6" spellcheck=${false} value=${query} onInput=${(e: Event) => setQuery((e.target as HTMLTextAreaElement).value)} data-testid="sql-query"></textarea>
      ${error ? html`<div class="error sql-error" role="alert" data-testid="sql-error">
          <div>${error.where && error.line ? html`<strong>${error.where === 'tables' ? 'Tables' : 'Query'}, line ${error.line}, column ${error.col}:</strong> ` : null}${error.message}</div>
          ${error.hint ? html`<div class="muted">hint: ${error.hint}</div>` : null}
          ${errorLine && errorText ? html`<pre class="mono">${errorText.split('\n')[errorLine - 1]}\n${' '.repeat(Math.max(0, (error.col ?? 1) - 1))}^</pre>` : null}
        </div>` : null}
      <p class="muted small" data-testid="sql-status">${status}</p>
      ${columns.length ? html`<div class="result-wrap"><table data-testid="sql-rows">
        <thead><tr><th>op</th>${columns.map((c) => html`<th title=${c.type}>${c.name}<div class="muted small">${c.type}</div></th>`)}</tr></thead>
        <tbody>${rows.map((r, i) => html`<tr key=${i}><td class="mono">${r.kind}</td>${r.values.map((v) => html`<td class="mono">${v === null ? 'NULL' : String(v)}</td>`)}</tr>`)}</tbody>
      </table></div>` : null}
    </section>
    <details class="card">
      <summary><strong>The cluster's tables</strong> <span class="muted small">(from the jobs and bundles it knows; edit to add your own)</span></summary>
      <textarea class="sql" rows="14" spellcheck=${false} value=${tables ?? ''} onInput=${(e: Event) => setTables((e.target as HTMLTextAreaElement).value)} data-testid="sql-tables"></textarea>
    </details>`;
}
