// Compile errors are reported as `file:line:col: error: message` with a hint, a non-zero exit, and no bundle.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { sluice } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';

const cases: { file: string; where: string; message: RegExp; hint: RegExp }[] = [
  { file: 'unknown-column.ts', where: ':6:25:', message: /unknown column 'acount_id'/, hint: /did you mean 'account_id'\?/ },
  { file: 'udf-argument.ts', where: ':6:', message: /argument 1 of province_id_to_name has type STRING, expected DOUBLE/, hint: /signature: province_id_to_name\(DOUBLE NOT NULL\)/ },
  { file: 'updating-into-append.ts', where: ':6:', message: /table sink 'out1' \(connector 'filesystem'\) only accepts inserts, but the query produces updates/, hint: /upsert|window/ },
  { file: 'unknown-connector.ts', where: ':4:', message: /unknown connector 'datagem'/, hint: /did you mean 'datagen'\?/ },
  { file: 'unknown-option.ts', where: ':4:', message: /unsupported option 'rows-per-secnd'/, hint: /did you mean 'rows-per-second'\?/ },
  { file: 'bad-option-value.ts', where: ':5:', message: /invalid value 'xml' for option 'format'/, hint: /allowed values: csv, json/ },
  { file: 'bad-ddl.ts', where: ':7:', message: /BIGNT/, hint: /.+/ },
];

describe('compile errors', () => {
  for (const c of cases) {
    it(`${c.file}: reported at the job's line and column with a hint`, () => {
      const out = path.join(tempDir(), 'x.mjs');
      const r = sluice(['compile', `test/cli/fixtures/${c.file}`, '-o', out]);
      expect(r.status).toBe(1);
      const [first, second] = r.stderr.trim().split('\n');
      expect(first.startsWith(`test/cli/fixtures/${c.file}${c.where}`), r.stderr).toBe(true);
      expect(first).toMatch(c.message);
      expect(second).toMatch(/^\s+hint: /);
      expect(second).toMatch(c.hint);
      expect(fs.existsSync(out)).toBe(false);
    });
  }
});
