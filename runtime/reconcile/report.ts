// The reconcile report for people (a table per sink, a few examples with key, expected and found values,
// the verdict) and for scripts (SPEC §11's JSON: ok, and per table matched/missing/extra/changed/explained/examples).
import { formatTimestamp } from '../core/values.js';
import { valuesText, type Difference } from './compare.js';
import type { ReconcileReport } from './reconcile.js';

export function reportJson(r: ReconcileReport): string {
  return JSON.stringify({
    ok: r.ok,
    job: r.job,
    checkpoint: r.checkpoint,
    input: r.input,
    tables: r.tables.map((t) => ({
      table: t.table, connector: t.connector, matched: t.matched, missing: t.missing, extra: t.extra, changed: t.changed,
      explained: t.explained, explanations: t.explanations, key: t.key, examples: t.examples,
      ...(t.notReconciled ? { notReconciled: t.notReconciled } : {}),
    })),
    notes: r.notes,
  }, null, 2);
}

/** Values as a person reads them: timestamps in SQL spelling (epoch millis are how rows hold them). */
function show(row: Record<string, unknown> | null): string {
  if (row === null) return '(none)';
  return '{' + Object.entries(row).map(([k, v]) => `${k}: ${typeof v === 'number' && /time|ts|start|end|date/i.test(k) && v > 1e11 ? formatTimestamp(v, 3) : valuesText(v)}`).join(', ') + '}';
}

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
}

function example(table: string, d: Difference): string {
  const why = d.reason ? ` — explained: ${d.reason}` : '';
  switch (d.kind) {
    case 'missing': return `  ${table}: missing ${show(d.key)}: expected ${show(d.expected)}, the sink has no such row${why}`;
    case 'extra': return `  ${table}: extra ${show(d.key)}: found ${show(d.found)}, not expected${why}`;
    case 'changed': return `  ${table}: changed ${show(d.key)}: expected ${show(d.expected)}, found ${show(d.found)}${why}`;
  }
}

export function reportText(r: ReconcileReport): string {
  const c = r.checkpoint;
  const lines = [`Reconciled '${r.job}' against ${c.kind} ${c.id} (${c.path}, taken ${new Date(c.timestamp).toISOString()})`];
  for (const i of r.input) lines.push(`  input ${i.table}: ${i.range}${i.records !== null ? ` (${i.records} records)` : ''}`);
  lines.push('');
  const head = ['table', 'matched', 'missing', 'extra', 'changed', 'explained'];
  const rows = r.tables.map((t) => t.notReconciled
    ? [t.table, '-', '-', '-', '-', '-']
    : [t.table, String(t.matched), String(t.missing), String(t.extra), String(t.changed), String(t.explained)]);
  lines.push(...pad([head, ...rows]));
  for (const t of r.tables) {
    if (t.notReconciled) lines.push(`  ${t.table}: not reconciled: ${t.notReconciled}`);
    const reasons = Object.entries(t.explanations);
    if (reasons.length) lines.push(`  ${t.table}: explained: ${reasons.map(([why, n]) => `${n} ${why}`).join(', ')}`);
  }
  const examples = r.tables.flatMap((t) => t.examples.map((d) => example(t.table, d)));
  if (examples.length) lines.push('', 'Examples:', ...examples);
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `note: ${n}`));
  const unexplained = r.tables.reduce((s, t) => s + t.missing + t.extra + t.changed, 0);
  lines.push('', r.ok ? 'OK: every difference is explained.' : `NOT OK: ${unexplained} row(s) differ without an explanation.`);
  return lines.join('\n') + '\n';
}
