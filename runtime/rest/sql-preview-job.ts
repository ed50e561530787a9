// The SQL page's preview job, run in a child process of the jobmanager (see sql-preview.ts): compiling and
// running never hold up the REST server, and ending the process cancels the job. It writes the tables' DDL
// and the query into a job file, compiles that (cli/compile-job-file.ts: the compiler, loaded lazily as
// `sluice run job.ts` loads it; the runtime never imports the compiler), runs the plan here with a collect
// sink, and reports on file descriptor 3, one JSON object a line: an error (with the line and column in
// the query or the tables' DDL), the result's columns, its changelog rows, the end.
import fs from 'node:fs';
import path from 'node:path';
import { typeToString } from '../core/data-types.js';
import { javaString } from '../core/java-strings.js';
import { ROW_KIND_SHORT, type Row, type RowKind } from '../core/row.js';
import type { JobPlan } from '../core/plan.js';
import { collectBuffers } from '../connectors/collect/sink.js';
import type { CompiledBundle } from '../core/bundle.js';
import { runCompiled } from '../cli/run-compiled.js';
import { compileJobFile } from '../cli/compile-job-file.js';
import { COLLECT_ID, jobSource, locate, type Placed } from './sql-preview-source.js';

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

const out = fs.createWriteStream('', { fd: 3 });
const emit = (ev: PreviewEvent) => out.write(`${JSON.stringify(ev)}\n`);
const exit = (code: number): void => { out.end(() => process.exit(code)); };

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
  let compiled: CompiledBundle;
  try {
    compiled = await compileJobFile(file);
  } catch (e) {
    report(e, placed, file);
    return exit(0);
  }
  let plan: JobPlan = compiled.plan;
  // The tables' text declares tables and views; an INSERT there would make the preview write somewhere.
  const other = plan.nodes.find((n) => n.kind === 'sink' && n.options.id !== COLLECT_ID);
  if (other?.kind === 'sink') {
    emit({ type: 'error', message: `the preview only reads: the tables' DDL inserts into '${other.table}'`, hint: 'keep CREATE TABLE / CREATE VIEW statements there, and the query in the query box', where: 'tables' });
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
    await runCompiled({ plan, factory: compiled.factory });
    emit({ type: 'end', reason: `The query's input ended: ${count} row${count === 1 ? '' : 's'}.` });
  } catch (e) {
    report(e, placed, file);
  }
  exit(0);
}

await main();
