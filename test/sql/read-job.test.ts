// read-job: decoding string literals as written in a job file, so every SQL character maps back to its
// position (escapes, line continuations, CRLF in templates), and finding the SQL argument of a call.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLiteral, sqlLocator } from '../../compiler/frontend/read-job.js';
import { tempDir } from '../helpers/tables.js';

const decode = (literal: string) => {
  const template = literal.startsWith('`');
  return decodeLiteral(literal, 0, literal.length, template);
};

describe('decodeLiteral', () => {
  it('maps each decoded character to where its escape sequence starts', () => {
    const { text, positions } = decode(String.raw`'a\tb\'c\\d\x41\u0042\u{1F600}e'`);
    expect(text).toBe("a\tb'c\\dAB\u{1F600}e");
    // a@1 \t@2 b@4 \'@5 c@7 \\@8 d@10 \x41@11 \u0042@15 \u{1F600}@21 (two units) e@30, end at the closing quote 31.
    expect(positions).toEqual([1, 2, 4, 5, 7, 8, 10, 11, 15, 21, 21, 30, 31]);
  });

  it('drops line continuations and normalizes CRLF in templates', () => {
    const { text, positions } = decode('`a\r\nb\\\r\nc`');
    expect(text).toBe('a\nbc');
    expect(positions).toEqual([1, 2, 4, 8, 9]);
  });
});

describe('sqlLocator', () => {
  it('finds the literal argument of the call at a stack position, through + and a const', () => {
    const file = path.join(tempDir(), 'job.ts');
    fs.writeFileSync(file, [
      "const ddl = 'CREATE TABLE t (a INT)';",
      'env.executeSql(ddl);',
      'env',
      "  .sqlQuery('SELECT a ' +",
      "    'FROM t');",
    ].join('\n'));
    const ddl = sqlLocator({ file, line: 2, col: 5 }, 'CREATE TABLE t (a INT)')!;
    expect(ddl(13)).toEqual({ file, line: 1, col: 27 });
    const query = sqlLocator({ file, line: 4, col: 4 }, 'SELECT a FROM t')!;
    expect(query(9)).toEqual({ file, line: 5, col: 6 });
    // Text that is not what the call passes (computed SQL): no mapping.
    expect(sqlLocator({ file, line: 4, col: 4 }, 'SELECT b FROM t')).toBeUndefined();
  });

  it('re-reads a file that changed', () => {
    const file = path.join(tempDir(), 'job.ts');
    fs.writeFileSync(file, "env.sqlQuery('SELECT 1 FROM t');");
    expect(sqlLocator({ file, line: 1, col: 5 }, 'SELECT 1 FROM t')!(7)).toEqual({ file, line: 1, col: 22 });
    fs.writeFileSync(file, "\n\n  env.sqlQuery('SELECT 1 FROM t');     ");
    expect(sqlLocator({ file, line: 3, col: 7 }, 'SELECT 1 FROM t')!(7)).toEqual({ file, line: 3, col: 24 });
  });
});
