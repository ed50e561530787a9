// The SQL page's job file, checked with the real compiler: a compile error's place in the generated file
// maps back to the line and column of the offending token in the text the user wrote (found here by
// searching that text), whatever the text holds (backticks, backslashes, `${`); and the cluster's tables,
// written back as DDL from a compiled plan, compile to the same source table.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import type { SourceNode } from '../../runtime/core/plan.js';
import { jobSource, locate } from '../../runtime/rest/sql-preview-source.js';
import { clusterTables } from '../../runtime/rest/sql-tables.js';
import { tempDir } from '../helpers/tables.js';

const TABLES = "CREATE TABLE `t` (\n  `id` BIGINT,\n  `a$b` STRING\n) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'fields.a$b.length' = '2');";

/** Compiles the preview job for these texts; the compile error, if any. */
async function compileTexts(tables: string, query: string) {
  const { source, placed } = jobSource(tables, query);
  const file = path.join(tempDir('sluice-sql-preview-'), 'preview.mts');
  fs.writeFileSync(file, source);
  try {
    return { plan: (await compileJob(file)).plan, placed, error: null };
  } catch (e) {
    return { plan: null, placed, error: e as Error & { loc?: { line: number; col: number } } };
  }
}

/** 1-based line and column of the first occurrence of `token` in `text`. */
function positionOf(text: string, token: string) {
  const at = text.indexOf(token);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

describe('SQL preview job file', () => {
  it.each([
    ['plain', 'SELECT id,\n  nope FROM t'],
    ['after quoted names and escapes', "SELECT 'x\\\\y${z}' AS s, `a$b`, `id` + 1 AS n,\n   `id`, nope FROM t"],
    ['on the first line after a backtick', 'SELECT `id`, nope FROM t'],
  ])('maps a compile error in the query back to its line and column (%s)', async (_name, query) => {
    const { error, placed } = await compileTexts(TABLES, query);
    expect(error?.message).toMatch(/unknown column 'nope'/);
    expect(locate(placed, error!.loc!.line, error!.loc!.col)).toEqual({ where: 'query', ...positionOf(query, 'nope') });
  });

  it('maps a compile error in the tables back to its line and column', async () => {
    const tables = TABLES.replace("'connector' = 'datagen'", "'connector' = 'datagenn'");
    const { error, placed } = await compileTexts(tables, 'SELECT id FROM t');
    expect(error?.message).toMatch(/datagenn/);
    const at = locate(placed, error!.loc!.line, error!.loc!.col)!;
    expect(at.where).toBe('tables');
    expect(tables.split('\n')[at.line - 1].slice(at.col - 1)).toMatch(/^'(connector|datagenn)'/);
  });

  it('writes the tables of a compiled plan back as DDL that compiles to the same source table', async () => {
    const original = (await compileJob('test/cluster/fixtures/windowed-sums.ts', { args: ['--rows', '10'] })).plan;
    const { tables, ddl } = clusterTables([original]);
    expect(tables).toEqual(['numbers']);
    const { plan, error } = await compileTexts(ddl, 'SELECT * FROM numbers');
    expect(error).toBeNull();
    const pick = (n: SourceNode) => ({ table: n.table, declared: n.declared, computed: n.computed, watermark: n.watermark, proctime: n.proctime, options: n.options });
    const source = (p: typeof original) => p.nodes.find((n): n is SourceNode => n.kind === 'source')!;
    expect(pick(source(plan!))).toEqual(pick(source(original)));
    expect(plan!.nodes.filter((n) => n.kind === 'sink').map((n) => n.kind === 'sink' && n.connector)).toEqual(['collect']);
  });
});
