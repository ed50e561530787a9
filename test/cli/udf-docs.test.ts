// docs/udfs.md as a user follows it: every job example on the page is compiled to a bundle that runs alone
// in an empty directory and prints the graded rows computed here; the udfs/ example is the file itself; the
// mistakes the page names fail at compile time with file:line:col; a NOT NULL result that is missing fails at run time.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, compileAndRunAlone, node, sluice } from '../helpers/cli.js';
import { tempDir, writeCsv } from '../helpers/tables.js';

const page = fs.readFileSync(path.join(ROOT, 'docs/udfs.md'), 'utf8');
const blocks = [...page.matchAll(/```ts\n\/\/ (example: )?(\S+)\n([\s\S]*?)```/g)].map((m) => ({ example: !!m[1], name: m[2], code: m[3] }));
// Job files must sit inside the project (they import 'sluice'); removed afterwards.
const jobsDir = fs.mkdtempSync(path.join(ROOT, '.udf-docs-'));
afterAll(() => fs.rmSync(jobsDir, { recursive: true, force: true }));

const input = Array.from({ length: 60 }, (_, i) => [i % 7, (i * 13) % 45]);
const expected = input.map(([a, amount]) => `+I[${a}, ${amount > 20 ? 'high' : 'low'}]`).sort();

describe('docs/udfs.md', { timeout: 180_000 }, () => {
  it('has the three job examples and shows udfs/provinces.ts as it is', () => {
    expect(blocks.filter((b) => b.example).map((b) => b.name)).toEqual(['grade-class.ts', 'grade-temporary.ts', 'grade-explicit.ts']);
    const shown = blocks.find((b) => b.name === 'udfs/provinces.ts');
    expect(shown?.code).toBe(fs.readFileSync(path.join(ROOT, 'udfs/provinces.ts'), 'utf8'));
  });

  for (const b of blocks.filter((x) => x.example)) {
    it(`${b.name}: the bundle runs alone and prints the graded rows`, () => {
      const job = path.join(jobsDir, b.name);
      fs.writeFileSync(job, b.code);
      const csv = writeCsv(input, path.join(tempDir(), 'payments.csv'));
      expect(compileAndRunAlone(job, ['--input', csv]).sort()).toEqual(expected);
    });
  }

  it('a UDF whose NOT NULL result comes back undefined fails the job naming it, in the bundle and --unfused', () => {
    const job = path.join(jobsDir, 'not-null.ts');
    fs.writeFileSync(job, [
      "import { defineJob, $, call, udf } from 'sluice';",
      "const label = udf(function label(n: number): string { return ['zero', 'one'][n]; });",
      "export default defineJob('labels', (tEnv, params) => {",
      "  tEnv.createTemporarySystemFunction('label', label);",
      "  tEnv.executeSql(`CREATE TABLE n (id BIGINT, v INT) WITH ('connector' = 'filesystem', 'path' = '${params.get('input', 'n.csv')}', 'format' = 'csv')`);",
      "  tEnv.executeSql(`CREATE TABLE labelled (id BIGINT, l STRING) WITH ('connector' = 'print')`);",
      "  tEnv.from('n').select($('id'), call('label', $('v'))).executeInsert('labelled');",
      '});',
      '',
    ].join('\n'));
    const csv = writeCsv([[1, 0], [2, 1], [3, 2]], path.join(tempDir(), 'n.csv'));
    const message = "error: UDF 'label' returned undefined for (2), but its result is declared STRING NOT NULL";
    const bundle = path.join(tempDir(), 'not-null.mjs');
    expect(sluice(['compile', job, '-o', bundle, '--', '--input', csv]).status).toBe(0);
    const fused = node([bundle], ROOT);
    expect(fused.status).toBe(1);
    expect(fused.stderr).toContain(message);
    expect(fused.stderr).toMatch(/hint: return a value for every input, or declare the result nullable/);
    const unfused = sluice(['run', job, '--unfused', '--', '--input', csv]);
    expect(unfused.status).toBe(1);
    expect(unfused.stderr).toContain(message);
  });

  it('a udf() inside the job body, or a function that is not a UDF, is a located compile error', () => {
    const inBody = path.join(jobsDir, 'in-body.ts');
    fs.writeFileSync(inBody, [
      "import { defineJob, udf } from 'sluice';",
      'export default defineJob(\'x\', (tEnv) => {',
      "  tEnv.createTemporarySystemFunction('g', udf((a: number): string => String(a), { name: 'g' }));",
      '});',
      '',
    ].join('\n'));
    const r = sluice(['compile', inBody, '-o', path.join(tempDir(), 'x.mjs')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/in-body\.ts:3:\d+: error: declare UDFs at the top level of the module/);
    const plain = path.join(jobsDir, 'plain.ts');
    fs.writeFileSync(plain, [
      "import { defineJob } from 'sluice';",
      'const g = (a: number): string => String(a);',
      'export default defineJob(\'x\', (tEnv) => {',
      "  tEnv.createTemporarySystemFunction('g', g);",
      '});',
      '',
    ].join('\n'));
    const p = sluice(['compile', plain, '-o', path.join(tempDir(), 'x.mjs')]);
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/plain\.ts:4:\d+: error: cannot register function 'g': it is not a UDF\n\s+hint: wrap it with udf\(\)/);
  });
});
