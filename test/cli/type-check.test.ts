// `sluice compile` type-checks the job before running any of it: TypeScript errors come out as
// file:line:col with a hint (what to use instead for what is not supported yet), each with its own hint.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, sluice } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';

// Inside the project (jobs import 'sluice'), but not in tsconfig's include: the repository's own check must pass.
const dir = fs.mkdtempSync(path.join(ROOT, '.type-check-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sluice compile type-checks the job', { timeout: 180_000 }, () => {
  it('reports a minus and a cast to a type name as TypeScript errors with hints, before planning', () => {
    const job = path.join(dir, 'type-errors.ts');
    fs.writeFileSync(job, [
      "import { defineJob, $ } from 'sluice';",
      "export default defineJob('bad', (tEnv) => {",
      "  tEnv.executeSql(`CREATE TABLE t (a BIGINT, b STRING) WITH ('connector' = 'datagen')`);",
      "  const t = tEnv.from('t');",
      "  t.minus(t);",
      "  t.select($('a').cast('BIGINT'));",
      "  throw new Error('the body ran');",
      '});',
      '',
    ].join('\n'));
    const out = path.join(tempDir(), 'x.mjs');
    const r = sluice(['compile', job, '-o', out], ROOT, { typecheck: true });
    expect(r.status).toBe(1);
    const rel = path.relative(ROOT, job);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${rel}:5:5: error: Property 'minus' does not exist on type 'Table'.`,
      '  hint: MINUS/EXCEPT is not supported yet; unionAll is (docs/sql.md)',
      `${rel}:6:24: error: Argument of type 'string' is not assignable to parameter of type 'DataType'.`,
      '  hint: types are DataTypes values: .cast(DataTypes.BIGINT())',
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a job using Node\'s API is checked with Node\'s types; fixing an error makes it compile', () => {
    const job = path.join(dir, 'node-api.ts');
    const write = (arg: string) => fs.writeFileSync(job, [
      "import { defineJob } from 'sluice';",
      "import os from 'node:os';",
      "export default defineJob('ok', (tEnv) => {",
      `  tEnv.executeSql(\`CREATE TABLE t (a BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '\${${arg}}')\`);`,
      "  tEnv.executeSql(`CREATE TABLE s (a BIGINT) WITH ('connector' = 'blackhole')`);",
      "  tEnv.from('t').executeInsert('s');",
      '});',
      '',
    ].join('\n'));
    write('os.cpus().length + process.argv.lenght');
    const bad = sluice(['compile', job, '-o', path.join(tempDir(), 'x.mjs')], ROOT, { typecheck: true });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/node-api\.ts:4:\d+: error: Property 'lenght' does not exist on type 'string\[\]'. Did you mean 'length'\?/);
    write('os.cpus().length + process.argv.length');
    const good = sluice(['compile', job, '-o', path.join(tempDir(), 'x.mjs')], ROOT, { typecheck: true });
    expect(good.status, good.stderr).toBe(0);
  });
});
