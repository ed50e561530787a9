// Runs the conformance corpus on sluice in this process: every case that compiles becomes one collect sink of
// ONE job (so the whole corpus costs one job start), rows are spelled as the print connector spells them
// (core/java-strings.ts, Flink's Row.toString) and the changelog is applied, as run_flink.py does for Flink.
// When the shared job fails, each case runs alone so the failure is pinned on the case that raised it.
import type { Table } from '../../compiler/api/table.js';
import { TableEnvironment } from '../../compiler/api/table-environment.js';
import { optimize } from '../../compiler/passes/index.js';
import { runPlan } from '../../compiler/run-standalone.js';
import { typeToString, withType, type Field } from '../../runtime/core/data-types.js';
import { javaString } from '../../runtime/core/java-strings.js';
import { inputsOf, type JobPlan, type PlanNode } from '../../runtime/core/plan.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { takeCollected } from '../../runtime/connectors/collect/sink.js';
import { CASES, type Case } from './corpus.js';
import { inputDdl, writeInputs } from './inputs.js';

export interface CaseResult {
  types?: string[];
  rows?: string[];
  error?: string;
}

const rowText = (row: Row, schema: readonly Field[]) => `[${schema.map((f) => javaString(row[f.name] ?? null, f.type)).join(', ')}]`;

/** The final rows of a changelog as text lines, sorted unless `ordered`: +I/+U add a row, -U/-D take an equal one away. */
function finalRows(changelog: { kind: RowKind; row: Row }[], schema: readonly Field[], ordered = false): string[] {
  const rows: string[] = [];
  for (const { kind, row } of changelog) {
    const text = rowText(row, schema);
    if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) rows.push(text);
    else {
      const i = rows.indexOf(text);
      if (i >= 0) rows.splice(i, 1);
    }
  }
  return ordered ? rows : rows.sort();
}

/** Streaming cases in one job, batch-mode cases (Case.mode) in another, as run_flink.py runs them. */
export async function runSluice(dir: string, cases: readonly Case[] = CASES, fused = true): Promise<Record<string, CaseResult>> {
  writeInputs(dir);
  const batch = cases.filter((c) => c.mode === 'batch');
  return {
    ...await runMode(dir, cases.filter((c) => c.mode !== 'batch'), fused, 'streaming'),
    ...(batch.length ? await runMode(dir, batch, fused, 'batch') : {}),
  };
}

async function runMode(dir: string, cases: readonly Case[], fused: boolean, mode: 'streaming' | 'batch'): Promise<Record<string, CaseResult>> {
  const env = TableEnvironment.create();
  env.getConfig().set('table.local-time-zone', 'UTC');
  env.getConfig().set('execution.runtime-mode', mode);
  for (const ddl of inputDdl(dir)) env.executeSql(ddl);
  const results: Record<string, CaseResult> = {};
  const planned: { c: Case; id: string; table: Table; schema: Field[] }[] = [];
  cases.forEach((c, n) => {
    try {
      const table = env.sqlQuery(c.sql);
      const schema = table.getSchema();
      const id = `conformance_${n}`;
      env.registerTable({
        name: id, columns: schema.map((f) => ({ kind: 'physical' as const, name: f.name, type: withType(f.type, { timeAttribute: undefined }) })),
        watermark: null, primaryKey: table.node.upsertKey ?? [], options: { connector: 'collect', id },
      });
      table.executeInsert(id);
      planned.push({ c, id, table, schema });
      results[c.id] = { types: schema.map((f) => typeToString(f.type)) };
    } catch (e) {
      results[c.id] = { error: firstLine(e) };
    }
  });

  const built = env.buildPlan('conformance', []);
  // The plan of some cases: the nodes their sinks read from, through the passes (which reject some plans).
  const only = (ids: string[]): JobPlan => {
    const byId = new Map(built.nodes.map((n) => [n.id, n]));
    const keep = new Set<string>();
    const visit = (n: PlanNode) => { if (!keep.has(n.id)) { keep.add(n.id); inputsOf(n).forEach((i) => visit(byId.get(i)!)); } };
    built.nodes.filter((n) => n.kind === 'sink' && ids.includes(String(n.options.id))).forEach(visit);
    return optimize({ ...built, nodes: built.nodes.filter((n) => keep.has(n.id)) });
  };
  // Plan errors (an updating input where none is accepted) belong to their case: check each case alone first.
  for (const p of [...planned]) {
    try {
      only([p.id]);
    } catch (e) {
      results[p.c.id].error = firstLine(e);
      planned.splice(planned.indexOf(p), 1);
    }
  }
  const collect = (p: (typeof planned)[number]) => { results[p.c.id].rows = finalRows(takeCollected(p.id), p.schema, p.c.ordered); };
  // One job for all; when it fails, halves, so a failure costs a few jobs and is pinned on its case.
  const run = async (group: typeof planned): Promise<void> => {
    try {
      await runPlan(only(group.map((p) => p.id)), fused);
      group.forEach(collect);
    } catch (e) {
      group.forEach((p) => takeCollected(p.id));
      if (group.length === 1) results[group[0].c.id].error = firstLine(e);
      else for (const half of [group.slice(0, group.length >> 1), group.slice(group.length >> 1)]) await run(half);
    }
  };
  await run(planned);
  return results;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
}
