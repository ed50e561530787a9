// Small shared pieces of the pages: a state badge, a key/value table, an error line, a loading line, tabs.
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';

export function StateBadge({ state }: { state: string }) {
  return html`<span class=${`badge state-${state.toLowerCase()}`}>${state}</span>`;
}

export function ErrorLine({ error, what }: { error: Error | undefined; what?: string }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${what ? `${what}: ` : ''}${error.message}</p>`;
}

export function Loading({ data, error, children }: { data: unknown; error: Error | undefined; children: () => ComponentChildren }) {
  if (data === undefined) return error ? html`<${ErrorLine} error=${error} />` : html`<p class="muted">Loading…</p>`;
  return html`${error ? html`<${ErrorLine} error=${error} what="Refresh failed" />` : null}${children()}`;
}

/** Any JSON object as rows of dotted keys and values (configurations arrive in several shapes). */
export function flatten(value: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && value.every((e) => e && typeof e === 'object' && 'key' in e && 'value' in e)) {
    for (const e of value as { key: string; value: unknown }[]) out.push([prefix ? `${prefix}.${e.key}` : e.key, String(e.value)]);
  } else {
    out.push([prefix, value === null || value === undefined ? '–' : typeof value === 'object' ? JSON.stringify(value) : String(value)]);
  }
  return out;
}

export function KeyValues({ rows, testId }: { rows: [string, string][]; testId?: string }) {
  if (!rows.length) return html`<p class="muted">Nothing to show.</p>`;
  return html`<table class="kv" data-testid=${testId}>
    <thead><tr><th>Key</th><th>Value</th></tr></thead>
    <tbody>${rows.map(([k, v]) => html`<tr><td class="mono">${k}</td><td class="mono">${v}</td></tr>`)}</tbody>
  </table>`;
}

export function Tabs({ base, current, tabs }: { base: string; current: string; tabs: [string, string][] }) {
  return html`<nav class="tabs">${tabs.map(([id, label]) => html`<a href=${`${base}/${id}`} class=${id === current ? 'active' : ''}>${label}</a>`)}</nav>`;
}

export function Card({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return html`<section class="card"><header><h2>${title}</h2>${actions ? html`<div class="actions">${actions}</div>` : null}</header>${children}</section>`;
}
