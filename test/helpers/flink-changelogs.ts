// Exact changelogs against real Flink, for the operator tests that keep one (test/rank, test/over): the `ev`
// table over a directory's events.jsonl as both engines declare it, Flink's changelogs from its
// flink-changelogs.json, and sluice's changelog spelled as those files spell Flink's (Python's json.dumps of the
// row: a whole DOUBLE as 1.0).
import fs from 'node:fs';
import path from 'node:path';
import { TableEnvironment, type Table } from '../../compiler/api/index.js';
import { ROW_KIND_SHORT } from '../../runtime/core/row.js';

/** Flink's changelog per query, as written by the directory's flink_changelogs.py. */
export const flinkChangelogs = (dir: string): Record<string, string[]> =>
  JSON.parse(fs.readFileSync(path.join(dir, 'flink-changelogs.json'), 'utf8')).changelogs;

/** A table environment with `ev` (id, k, v, ts rowtime with a 2 s watermark delay, pt proctime) over a file. */
export function eventsEnvironment(events: string): TableEnvironment {
  const env = TableEnvironment.create();
  env.getConfig().set('table.local-time-zone', 'UTC');
  env.executeSql(`CREATE TABLE ev (id INT, k STRING, v INT, ts TIMESTAMP(3), pt AS PROCTIME(),
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'filesystem', 'path' = '${events}', 'format' = 'json')`);
  return env;
}

/** A query's whole changelog, one `+I [values]` line per change. */
export async function changelogLines(table: Table): Promise<string[]> {
  const schema = table.getSchema();
  const value = (v: unknown, type: string) => (typeof v === 'number' && Number.isInteger(v) && (type === 'DOUBLE' || type === 'FLOAT') ? v.toFixed(1) : JSON.stringify(v));
  const changelog = await table.execute().collectChangelog();
  return changelog.map(({ kind, row }) => `${ROW_KIND_SHORT[kind]} [${schema.map((f) => value(row[f.name] ?? null, f.type.name)).join(',')}]`);
}
