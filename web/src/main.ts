// The dashboard's entry: the layout (a navigation bar, a token prompt when the REST API asks for one) and the
// hash routes to the pages. Bundled by esbuild (runtime/rest/dashboard-assets.ts) with its stylesheet.
import './style.css';
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { setToken, UNAUTHORIZED_EVENT } from './api.js';
import { useRoute } from './router.js';
import { JobListPage, OverviewPage } from './pages/jobs.js';
import { JobPage } from './pages/job-page.js';
import { JobManagerPage, TaskManagerPage, TaskManagersPage } from './pages/processes.js';
import { SubmitPage } from './pages/submit.js';
import { SqlPage } from './pages/sql.js';

const NAV: [string, string][] = [
  ['overview', 'Overview'],
  ['jobs/running', 'Running jobs'],
  ['jobs/completed', 'Completed jobs'],
  ['taskmanagers', 'Task managers'],
  ['jobmanager/config', 'Job manager'],
  ['submit', 'Submit new job'],
  ['sql', 'SQL'],
];

/** The job lists are told apart by their second part; the other sections by their first. */
function isActive(path: string, here: string): boolean {
  if (path.startsWith('jobs/')) return here.startsWith(path);
  const section = here.split('/')[0] || 'overview';
  return section === path.split('/')[0] || (path === 'taskmanagers' && section === 'taskmanager');
}

function TokenPrompt() {
  const [value, setValue] = useState('');
  return html`<form class="token" onSubmit=${(e: Event) => { e.preventDefault(); setToken(value); location.reload(); }}>
    <p>This jobmanager requires a token (<code>$SLUICE_REST_TOKEN</code> or <code>rest.auth.token</code>).</p>
    <input type="password" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} placeholder="token" data-testid="token" />
    <button type="submit">Use token</button>
  </form>`;
}

function Page({ route }: { route: string[] }) {
  const [a, b, c] = route;
  switch (a) {
    case 'jobs': return html`<${JobListPage} completed=${b === 'completed'} />`;
    case 'job': return html`<${JobPage} id=${b} tab=${c ?? 'overview'} />`;
    case 'taskmanagers': return html`<${TaskManagersPage} />`;
    case 'taskmanager': return html`<${TaskManagerPage} id=${b} tab=${c ?? 'metrics'} />`;
    case 'jobmanager': return html`<${JobManagerPage} tab=${b ?? 'config'} />`;
    case 'submit': return html`<${SubmitPage} />`;
    case 'sql': return html`<${SqlPage} />`;
    default: return html`<${OverviewPage} />`;
  }
}

function App() {
  const route = useRoute();
  const [unauthorized, setUnauthorized] = useState(false);
  useEffect(() => {
    const on = () => setUnauthorized(true);
    window.addEventListener(UNAUTHORIZED_EVENT, on);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, on);
  }, []);
  const here = route.join('/');
  return html`<div class="layout">
    <nav class="sidebar">
      <div class="brand">sluice</div>
      ${NAV.map(([path, label]) => html`<a href=${`#/${path}`} class=${isActive(path, here) ? 'active' : ''}>${label}</a>`)}
    </nav>
    <main>${unauthorized ? html`<${TokenPrompt} />` : html`<${Page} route=${route} />`}</main>
  </div>`;
}

const root = document.getElementById('app')!;
root.textContent = '';
render(html`<${App} />`, root);
