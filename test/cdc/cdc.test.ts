// Debezium and Canal changelogs against real Flink: each query of cases.json over the samples in this folder
// (real change events as Debezium's MySQL connector and Canal write them: snapshot reads, inserts, updates that
// move a row between groups, deletes, a DDL event, another table's change), read by the filesystem connector
// with the debezium-json / canal-json formats. Flink 2.3.0's changelogs are in flink-changelogs.json (written by
// flink_changelogs.py). A query that keeps rows one for one (projections, filters) must give Flink's changelog
// exactly; an aggregate or join, whose changes sluice emits per batch where Flink emits them per record, must
// give a changelog whose every retraction takes back a row it emitted before, ending in Flink's final rows.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainString } from '../../runtime/core/decimal.js';
import { TableEnvironment } from '../../compiler/api/index.js';
import type { Field } from '../../runtime/core/data-types.js';
import { ROW_KIND_SHORT, RowKind, type Row } from '../../runtime/core/row.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cases: { ddl: string[]; queries: string[] } = JSON.parse(fs.readFileSync(path.join(here, 'cases.json'), 'utf8'));
const expected: Record<string, string[] | { error: string }> = JSON.parse(fs.readFileSync(path.join(here, 'flink-changelogs.json'), 'utf8')).changelogs;

function environment(): TableEnvironment {
  const env = TableEnvironment.create();
  env.getConfig().set('table.local-time-zone', 'UTC');
  for (const ddl of cases.ddl) env.executeSql(ddl.replaceAll('${dir}', here));
  return env;
}

/** A change as a comparable line: Flink's DECIMAL values are text with their scale, the rest JSON values. */
function line(kind: RowKind, values: unknown[]): string {
  return `${ROW_KIND_SHORT[kind]} ${JSON.stringify(values)}`;
}

function sluiceLine(kind: RowKind, row: Row, schema: Field[]): string {
  return line(kind, schema.map((f) => {
    const v = row[f.name];
    return f.type.name === 'DECIMAL' && typeof v === 'bigint' ? plainString(v, f.type.scale ?? 0) : v;
  }));
}

function flinkLine(text: string): string {
  const space = text.indexOf(' ');
  const kind = ROW_KIND_SHORT.indexOf(text.slice(0, space) as (typeof ROW_KIND_SHORT)[number]) as RowKind;
  return line(kind, JSON.parse(text.slice(space + 1)));
}

/** Applies a changelog; a retraction of a row that is not there fails (it would be a wrong changelog). */
function applyStrictly(lines: string[]): string[] {
  const rows: string[] = [];
  for (const l of lines) {
    const [kind, values] = [l.slice(0, 2), l.slice(3)];
    if (kind === '+I' || kind === '+U') rows.push(values);
    else {
      const i = rows.indexOf(values);
      if (i < 0) throw new Error(`${kind} ${values} retracts a row that was not emitted; the rows were:\n${rows.join('\n')}`);
      rows.splice(i, 1);
    }
  }
  return rows.sort();
}

const rowForRow = (sql: string) => !/GROUP BY|JOIN|COUNT|SUM|MIN|MAX|AVG/i.test(sql);

async function check(sql: string): Promise<void> {
  const want = expected[sql];
    if (!Array.isArray(want)) throw new Error(`Flink failed on this query: ${want?.error ?? 'no expected changelog (run flink_changelogs.py)'}`);
    const table = environment().sqlQuery(sql);
    const schema = table.getSchema();
    const got = (await table.execute().collectChangelog()).map(({ kind, row }) => sluiceLine(kind, row, schema));
    const flink = want.map(flinkLine);
    if (rowForRow(sql)) expect(got).toEqual(flink);
    expect(applyStrictly(got)).toEqual(applyStrictly(flink));
}

describe('debezium-json and canal-json read as Flink reads them', () => {
  it.each(cases.queries)('%s', check);
});

// The same aggregates through the interpreter (--unfused), whose retraction code is written apart from the generated one.
describe('interpreted', () => {
  beforeAll(() => { process.env.SLUICE_UNFUSED = '1'; });
  afterAll(() => { delete process.env.SLUICE_UNFUSED; });
  it.each(cases.queries.filter((q) => !rowForRow(q)))('%s', check);
});
