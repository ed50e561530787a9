// The SQL page's preview job, run in a child process of the jobmanager (see sql-preview.ts): compiling and
// running never hold up the REST server, and ending the process cancels the job. It writes the tables' DDL
// and the query into a job file, compiles that through the compiler's entry point, loaded lazily exactly as
// `sluice run job.ts` loads it (the runtime never imports the compiler), runs the plan here with a collect
// sink, and reports on file descriptor 3, one JSON object a line: an error (with the line and column in
// the query or the tables' DDL), the result's columns, its changelog rows, the end.
import fs from 'node:fs';
import path from 'node:path';
import { typeToString } from '../core/data-types.js';
import { javaString } from '../core/java-strings.js';
import { ROW_KIND_SHORT, type Row, type RowKind } from '../core/row.js';
import type { JobPlan } from '../core/plan.js';
import { collectBuffers } from '../connectors/collect/sink.js';
import { runCompiled } from '../cli/run-compiled.js';

export interface PreviewSpec {
  /** A directory of its own for the job file. */
  dir: string;
  tables: string;
  query: string;
  limit: number;
  /** Kafka sources read under this consumer group, never under the group of the job they came from. */
  groupId: string;
}

export type PreviewEvent =
  | { type: 'compiling' }
  | { type: 'error'; message: string; hint?: string; where?: 'query' | 'tables'; line?: number; col?: number }
  | { type: 'schema'; columns: { name: string; type: string }[] }
  | { type: 'row'; kind: string; values: (string | null)[] }
  | { type: 'end'; reason: string };

const COLLECT_ID = 'sql-preview';
const SINK_TABLE = '__sql_preview';

const out = fs.createWriteStream('', { fd: 3 });
const emit = (ev: PreviewEvent) => out.write(`${JSON.stringify(ev)}\n`);
const exit = (code: number): void => { out.end(() => process.exit(code)); };

/** Text as a template literal: only \, ` and ${ need escaping. */
const template = (text: string) => '`' + text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
const escapedLength = (ch: string) => (ch === '\\' || ch === '`' ? 2 : 1);

interface Placed { where: 'query' | 'tables'; text: string; firstLine: number }

/** The job file, and where each SQL text starts in it (each literal opens at column 1 of its own line). */
export function jobSource(tables: string, query: string): { source: string; placed: Placed[] } {
  const lines = ['// Written by the SQL page of the sluice dashboard.', 'export default {', "  kind: 'sluice-job',", "  name: 'SQL preview',", '  body: (tEnv: any) => {'];
  const placed: Placed[] = [];
  const put = (where: Placed['where'], text: string, call: string, tail: string) => {
    lines.push(call);
    placed.push({ where, text, firstLine: lines.length + 1 });
    lines.push(...`${template(text)}${tail}`.split('\n'));
  };
  if (tables.trim()) put('tables', tables, '    tEnv.executeSql(', ');');
  put('query', query, '    const t = tEnv.sqlQuery(', ');');
  lines.push(
    '    tEnv.registerTable({',
    `      name: '${SINK_TABLE}', watermark: null, primaryKey: t.node.upsertKey ?? [], options: { connector: 'collect', id: '${COLLECT_ID}' },`,
    "      columns: t.node.schema.map((f: any) => ({ kind: 'physical', name: f.name, type: { ...f.type, timeAttribute: undefined } })),",
    '    });',
    `    t.executeInsert('${SINK_TABLE}');`,
    '  },',
    '};',
    '',
  );
  return { source: lines.join('\n'), placed };
}

/** A position in the job file back to the line and column of the SQL text it lies in. */
export function locate(placed: Placed[], line: number, col: number): { where: Placed['where']; line: number; col: number } | null {
  for (const p of placed) {
    const textLines = p.text.split('\n');
    const i = line - p.firstLine;
    if (i < 0 || i >= textLines.length) continue;
    let fileCol = i === 0 ? 2 : 1; // the opening backtick
    let c = 0;
    while (c < textLines[i].length && fileCol + escapedLength(textLines[i][c]) <= col) fileCol += escapedLength(textLines[i][c++]);
    return { where: p.where, line: i + 1, col: c + 1 };
  }
  return null;
}

function report(e: unknown, placed: Placed[], file: string): void {
  const err = e as Error & { loc?: { file: string; line: number; col: number }; hint?: string };
  const at = err.loc && path.resolve(err.loc.file) === file ? locate(placed, err.loc.line, err.loc.col) : null;
  emit({ type: 'error', message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(at ?? {}) });
}

async function main(): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as PreviewSpec;
  const { source, placed } = jobSource(spec.tables, spec.query.replace(/[\s;]+$/, ''));
  // .mts: an ES module wherever the cluster directory is (a .ts file outside a "type": "module" package is CommonJS).
  const file = path.join(spec.dir, 'preview.mts');
  fs.writeFileSync(file, source);
  emit({ type: 'compiling' });
  let plan: JobPlan;
  let factory: Parameters<typeof runCompiled>[0]['factory'];
  try {
    const { compileJob } = await import('../../compiler/index.js');
    const { instantiate } = await import('../../compiler/codegen/instantiate.js');
    const compiled = await compileJob(file);
    plan = compiled.plan;
    factory = (_rt, udfs) => instantiate(compiled.code.factory, udfs);
  } catch (e) {
    report(e, placed, file);
    return exit(0);
  }
  plan = {
    ...plan,
    name: 'SQL preview',
    nodes: plan.nodes.map((n) => (n.kind === 'source' && 'properties.group.id' in n.options ? { ...n, options: { ...n.options, 'properties.group.id': spec.groupId } } : n)),
  };
  const sink = plan.nodes.find((n) => n.kind === 'sink' && n.options.id === COLLECT_ID)!;
  emit({ type: 'schema', columns: sink.schema.map((f) => ({ name: f.name, type: typeToString(f.type) })) });
  let count = 0;
  collectBuffers().set(COLLECT_ID, {
    accept(row: Row, kind: RowKind) {
      if (count >= spec.limit) return;
      emit({ type: 'row', kind: ROW_KIND_SHORT[kind], values: sink.schema.map((f) => (row[f.name] === null || row[f.name] === undefined ? null : javaString(row[f.name], f.type))) });
      if (++count === spec.limit) {
        emit({ type: 'end', reason: `Stopped after the first ${spec.limit} rows; the preview job was cancelled.` });
        exit(0);
      }
    },
  });
  try {
    await runCompiled({ plan, factory });
    emit({ type: 'end', reason: `The query's input ended: ${count} row${count === 1 ? '' : 's'}.` });
  } catch (e) {
    report(e, placed, file);
  }
  exit(0);
}

await main();
