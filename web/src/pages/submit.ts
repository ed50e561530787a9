// Submit a job: upload a bundle (POST /jars/upload), then run it with arguments, parallelism, a savepoint to
// resume from and allow-non-restored-state (POST /jars/:id/run), as Flink's "Submit New Job" page.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, usePoll } from '../api.js';
import { fmtTime } from '../format.js';
import { navigate } from '../router.js';
import { Card, ErrorLine, Loading } from '../ui.js';

interface Jar {
  id: string;
  name: string;
  uploaded: number;
  entry: { name: string; description: string | null }[];
}

function RunForm({ jar, onDone }: { jar: Jar; onDone: () => void }) {
  const [args, setArgs] = useState('');
  const [parallelism, setParallelism] = useState('');
  const [savepoint, setSavepoint] = useState('');
  const [allowNonRestored, setAllowNonRestored] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const value = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await api<{ jobid: string }>('POST', `/jars/${encodeURIComponent(jar.id)}/run`, {
        programArgs: args || null,
        parallelism: parallelism ? Number(parallelism) : null,
        savepointPath: savepoint || null,
        allowNonRestoredState: allowNonRestored,
      });
      onDone();
      navigate(`#/job/${res.jobid}/overview`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="run-form" onSubmit=${run} data-testid="run-form">
    <label>Program arguments <input type="text" value=${args} onInput=${value(setArgs)} placeholder="--set table.option=value -D key=value" data-testid="program-args" /></label>
    <label>Parallelism <input type="number" min="1" value=${parallelism} onInput=${value(setParallelism)} placeholder="parallelism.default" data-testid="parallelism" /></label>
    <label>Savepoint path <input type="text" value=${savepoint} onInput=${value(setSavepoint)} placeholder="resume from this savepoint or retained checkpoint" data-testid="savepoint-path" /></label>
    <label class="check"><input type="checkbox" checked=${allowNonRestored} onChange=${(e: Event) => setAllowNonRestored((e.target as HTMLInputElement).checked)} data-testid="allow-non-restored" /> Allow non-restored state</label>
    <button type="submit" disabled=${busy} data-testid="submit-job">Submit</button>
    <${ErrorLine} error=${error} what="Submit failed" />
  </form>`;
}

export function SubmitPage() {
  const jars = usePoll<{ files: Jar[] }>('/jars', 0);
  const [selected, setSelected] = useState<string | null>(null);
  const [uploadError, setUploadError] = useState<Error | undefined>();
  const [uploading, setUploading] = useState(false);
  const upload = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setUploading(true);
    setUploadError(undefined);
    try {
      const form = new FormData();
      form.append('jarfile', file, file.name);
      const res = await api<{ filename: string }>('POST', '/jars/upload', form);
      setSelected(res.filename.split('/').pop() ?? null);
      jars.reload();
    } catch (err) {
      setUploadError(err as Error);
    } finally {
      setUploading(false);
      input.value = '';
    }
  };
  const remove = async (id: string) => {
    await api('DELETE', `/jars/${encodeURIComponent(id)}`).catch((err: Error) => setUploadError(err));
    jars.reload();
  };
  return html`<h1>Submit new job</h1>
    <${Card} title="Upload a bundle">
      <p class="muted small">A bundle is what <code>sluice compile jobs/x.ts</code> writes (build/x.mjs); job arguments are compile-time inputs and travel inside it.</p>
      <label class="upload"><input type="file" accept=".mjs,.js" onChange=${upload} data-testid="upload" disabled=${uploading} /> ${uploading ? 'Uploading…' : ''}</label>
      <${ErrorLine} error=${uploadError} />
    <//>
    <${Card} title="Uploaded bundles">
      <${Loading} data=${jars.data} error=${jars.error}>${() => !jars.data!.files.length ? html`<p class="muted">No bundle uploaded.</p>` : html`<table data-testid="jars">
        <thead><tr><th>Name</th><th>Job</th><th>Uploaded</th><th></th></tr></thead>
        <tbody>${jars.data!.files.map((j) => html`<tr key=${j.id} class=${selected === j.id ? 'selected' : ''}>
          <td class="mono">${j.name}</td><td>${j.entry[0]?.name}${j.entry[0]?.description ? html`<div class="muted small">${j.entry[0].description}</div>` : null}</td>
          <td>${fmtTime(j.uploaded)}</td>
          <td><button onClick=${() => setSelected(j.id)} data-testid="choose-jar">Run…</button> <button class="danger" onClick=${() => remove(j.id)}>Delete</button></td>
        </tr>${selected === j.id ? html`<tr><td colspan="4"><${RunForm} jar=${j} onDone=${() => setSelected(null)} /></td></tr>` : null}`)}</tbody>
      </table>`}<//>
    <//>`;
}
