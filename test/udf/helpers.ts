// Shared by the table and aggregate function tests: the tables both engines read, the functions' signatures as
// sluice reads them from fixtures/, Flink's changelogs (flink-changelogs.json, by flink_udf_changelogs.py) and how
// a sluice changelog is compared with one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadJob } from '../../compiler/frontend/load-job.js';
import { CompileError } from '../../compiler/ir/diagnostics.js';
import { TableEnvironment, type Table } from '../../compiler/api/index.js';
import { FunctionRegistry } from '../../compiler/api/function-registry.js';
import { readUdfFile } from '../../compiler/frontend/read-udfs.js';
import { changelogLines, flinkChangelogs } from '../helpers/flink-changelogs.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const expected = flinkChangelogs(HERE);
export const EVENTS = path.join(HERE, '../rank/events.jsonl');

/** The signatures of the functions declared in these fixture files (imported already: they register them). */
export const signaturesOf = (...files: string[]) => files.flatMap((f) => readUdfFile(path.join(HERE, 'fixtures', f)));

/** `ev` (../rank/events.jsonl: id, k, v, ts with a 2 s watermark delay) and `lines` (lines.jsonl), with the given functions. */
export function environment(signatures: ReturnType<typeof signaturesOf>): TableEnvironment {
  const env = TableEnvironment.create({ functions: new FunctionRegistry(signatures) });
  env.getConfig().set('table.local-time-zone', 'UTC');
  env.executeSql(`CREATE TABLE ev (id INT, k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '${EVENTS}', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE lines (id INT, line STRING, tag STRING, n INT, ts TIMESTAMP(3))
    WITH ('connector' = 'filesystem', 'path' = '${path.join(HERE, 'lines.jsonl')}', 'format' = 'json')`);
  return env;
}

/** The changelog of a query built on a fresh environment, fused and --unfused (they must agree). */
export async function bothWays(env: () => TableEnvironment, build: (env: TableEnvironment) => Table): Promise<string[]> {
  const fused = await changelogLines(build(env()));
  process.env.SLUICE_UNFUSED = '1';
  try {
    expect(await changelogLines(build(env()))).toEqual(fused);
  } finally {
    delete process.env.SLUICE_UNFUSED;
  }
  return fused;
}

/** The rows a changelog leaves (each -U/-D must take back a row that is there), sorted. */
export function materialized(lines: string[]): string[] {
  const rows: string[] = [];
  for (const line of lines) {
    const [kind, row] = [line.slice(0, 2), line.slice(3)];
    if (kind === '+I' || kind === '+U') { rows.push(row); continue; }
    const at = rows.indexOf(row);
    if (at < 0) throw new Error(`${line} retracts a row that is not there`);
    rows.splice(at, 1);
  }
  return rows.sort();
}

/**
 * A sluice changelog against Flink's for the query: a stateless query (LATERAL TABLE alone) row by row; an
 * aggregate by what the changelogs leave, since it emits its changes once per batch where Flink emits them per row.
 */
export function expectFlinks(sql: string, lines: string[]): void {
  if (/LATERAL/.test(sql) && !/GROUP BY/.test(sql)) expect(lines).toEqual(expected[sql]);
  else expect(materialized(lines)).toEqual(materialized(expected[sql]));
}

/**
 * Tests, under `title`, each of `queries` (SQL of flink-changelogs.json) on a fresh environment against Flink's
 * changelog, and that there are `count` of them (so a query Flink did not answer is not silently left out).
 */
export function describeAgainstFlink(title: string, env: () => TableEnvironment, queries: string[], what: string, count: number): void {
  describe(title, () => {
    it.each(queries)('%s', async (sql) => {
      expectFlinks(sql, await bothWays(env, (e) => e.sqlQuery(sql)));
    });

    it(`Flink answered every ${what} query of flink_udf_changelogs.py`, () => {
      expect(queries.length).toBe(count);
    });
  });
}

/** Where `at` is in a file, at its first place after `context` (1-based line and column). */
export function locIn(file: string, context: string, at: string): { file: string; line: number; col: number } {
  const text = fs.readFileSync(file, 'utf8');
  const offset = text.indexOf(at, text.indexOf(context));
  const before = text.slice(0, offset).split('\n');
  return { file, line: before.length, col: before[before.length - 1].length + 1 };
}

/** Loads fixtures/bad-calls-job.ts with `--case which`: its compile error is `message`, at `at` (first after `context`). */
export async function expectLocatedError(which: string, context: string, at: string, message: string): Promise<void> {
  const file = path.join(HERE, 'fixtures/bad-calls-job.ts');
  const error = await loadJob(file, ['--case', which], { typecheck: false }).then(() => undefined, (x: unknown) => x);
  expect(error).toBeInstanceOf(CompileError);
  expect((error as CompileError).message).toBe(message);
  expect((error as CompileError).loc).toEqual(locIn(file, context, at));
}
