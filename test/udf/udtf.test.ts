// Table functions (@udtf) in LATERAL TABLE and the Table API's joinLateral against real Flink: each query's
// changelog is the one Flink 2.3.0 emitted with the same functions written in Python (flink-changelogs.json, by
// flink_udf_changelogs.py), fused and --unfused; signatures read from the TypeScript; compile-time errors at the
// argument's file:line:col; a NULL in a NOT NULL column fails the run naming the function.
import { describe, expect, it } from 'vitest';
import { $, call, lit } from '../../compiler/api/index.js';
import { typeToString } from '../../runtime/core/data-types.js';
import { compileError, planOf } from '../sql/helpers.js';
import { CharCodes } from './fixtures/table-functions.js';
import { bothWays, describeAgainstFlink, environment, expected, expectFlinks, expectLocatedError, signaturesOf } from './helpers.js';

const signatures = signaturesOf('table-functions.ts');
const env = () => environment(signatures);
const lateral = Object.keys(expected).filter((sql) => /LATERAL/.test(sql));
/** LATERAL TABLE of an aggregate's updating result. */
const updating = (sql: string) => /FROM \(SELECT .* GROUP BY k\)/.test(sql);

describeAgainstFlink('LATERAL TABLE emits what Flink emits', env, lateral.filter((q) => !updating(q)), 'LATERAL TABLE', 7);
describeAgainstFlink('LATERAL TABLE of an updating input leaves what Flink leaves (each changelog row expanded with its kind)', env,
  lateral.filter(updating), 'updating LATERAL TABLE', 2);

describe('the Table API', () => {
  const sql = {
    cross: 'SELECT id, word, length FROM lines, LATERAL TABLE(split_words(line)) AS t(word, length)',
    left: 'SELECT id, word, length FROM lines LEFT JOIN LATERAL TABLE(split_words(line)) AS t(word, length) ON TRUE',
    filtered: 'SELECT id, word FROM lines JOIN LATERAL TABLE(split_words(line)) AS t(word, length) ON length > 3',
  };

  it('joinLateral and leftOuterJoinLateral (PyFlink\'s join_lateral, left_outer_join_lateral) give the SQL joins\' changelogs', async () => {
    const words = () => call('split_words', $('line')).as('word', 'length');
    expectFlinks(sql.cross, await bothWays(env, (e) => e.from('lines').joinLateral(words()).select($('id'), $('word'), $('length'))));
    expectFlinks(sql.left, await bothWays(env, (e) => e.from('lines').leftOuterJoinLateral(words(), lit(true)).select($('id'), $('word'), $('length'))));
    expectFlinks(sql.filtered, await bothWays(env, (e) => e.from('lines').joinLateral(words(), $('length').isGreater(3)).select($('id'), $('word'))));
  });

  it('rows as objects, columns named by the yield type when there is no alias, a call by class', async () => {
    const t = env().sqlQuery("SELECT id, ch, code FROM lines, LATERAL TABLE(char_codes(COALESCE(tag, '?'))) WHERE id < 4");
    expect(t.getSchema().map((f) => `${f.name} ${typeToString(f.type)}`)).toEqual(['id INT', 'ch STRING NOT NULL', 'code DOUBLE NOT NULL']);
    expect(await t.collect()).toEqual([{ id: 1, ch: 'x', code: 120 }, { id: 2, ch: 'y', code: 121 }, { id: 3, ch: '?', code: 63 }]);
    const all = env().sqlQuery('SELECT * FROM lines, LATERAL TABLE(split_words(line))');
    expect(all.getSchema().map((f) => f.name)).toEqual(['id', 'line', 'tag', 'n', 'ts', 'word', 'length']);
    expect(planOf(all).find((n) => n.kind === 'correlate')).toMatchObject({ fn: { kind: 'udtf', name: 'split_words', rows: 'row' }, joinType: 'inner' });
    expect(call(CharCodes, 'a').node).toMatchObject({ kind: 'call', fn: 'char_codes' });
  });
});

describe('signatures and compile-time checks', () => {
  it('reads the types of table functions from their TypeScript', () => {
    const sig = (name: string) => signatures.find((s) => s.name === name)!;
    const text = (name: string) => `${sig(name).kind} (${sig(name).inputTypes.map(typeToString).join(', ')}) -> ${typeToString(sig(name).resultType)}`;
    expect(text('split_words')).toBe('table (STRING) -> ROW<word STRING NOT NULL, length DOUBLE NOT NULL>');
    expect(text('repeat_tag')).toBe('table (STRING, DOUBLE) -> ROW<f0 STRING NOT NULL>');
    expect(sig('repeat_tag').rows).toBe('scalar');
    expect(text('char_codes')).toBe('table (STRING NOT NULL) -> ROW<ch STRING NOT NULL, code DOUBLE NOT NULL>');
  });

  it('wrong arguments, a function of the wrong kind, a wrong alias or join: compile errors with a fix', () => {
    const e = env();
    expect(compileError(() => e.sqlQuery('SELECT id, w FROM lines, LATERAL TABLE(split_words(n)) AS t(w, l)')).message).toBe('argument 1 of split_words has type INT, expected STRING');
    expect(compileError(() => e.sqlQuery('SELECT id, w FROM lines, LATERAL TABLE(split_words(line, 1)) AS t(w, l)')).message).toBe('split_words takes 1 argument(s), called with 2');
    expect(compileError(() => e.sqlQuery('SELECT id, w FROM lines, LATERAL TABLE(split_words(line)) AS t(w)')).message).toBe('table function split_words gives 2 column(s), the alias names 1');
    expect(compileError(() => e.sqlQuery('SELECT split_words(line) FROM lines')).message).toBe('split_words is a table function: it gives rows, not a value');
    expect(compileError(() => e.sqlQuery('SELECT x FROM lines, LATERAL TABLE(UPPER(line)) AS t(x)')).message).toBe("unknown table function 'UPPER'");
    expect(compileError(() => e.sqlQuery('SELECT x FROM lines, LATERAL TABLE(split_wrds(line)) AS t(x)')).hint).toBe("did you mean 'split_words'?");
    expect(compileError(() => e.sqlQuery('SELECT id, x FROM lines RIGHT JOIN LATERAL TABLE(split_words(line)) AS t(x, y) ON TRUE')).message).toMatch(/RIGHT JOIN LATERAL TABLE\(\.\.\.\) is not supported/);
    expect(compileError(() => e.sqlQuery('SELECT id, x FROM lines LEFT JOIN LATERAL TABLE(split_words(line)) AS t(x, y) ON y > 1')).message).toMatch(/LEFT JOIN LATERAL TABLE\(\.\.\.\) with a condition other than ON TRUE is not supported/);
    expect(compileError(() => e.from('lines').joinLateral(call('split_words', $('n')))).message).toBe('argument 1 of split_words has type INT, expected STRING');
    expect(compileError(() => e.from('lines').leftOuterJoinLateral(call('split_words', $('line')), $('id').isGreater(1))).message).toBe('the condition of leftOuterJoinLateral can only be TRUE, as in Flink');
    expect(compileError(() => e.from('lines').joinLateral($('line'))).message).toBe('a lateral join takes a table function call');
    expect(compileError(() => e.from('lines').select(call('upper', $('line')).as('a', 'b'))).message).toMatch(/gives several names/);
  });

  it.each([
    ['sql-udtf', 'split_line(n)', 'n)) AS t', 'argument 1 of split_line has type INT, expected STRING NOT NULL'],
    ['api-udtf', "joinLateral(call('split_line', $('n')", "$('n')", 'argument 1 of split_line has type INT, expected STRING NOT NULL'],
  ])('in a job file (%s), the error names the file, line and column of the wrong argument', (which, context, at, message) => expectLocatedError(which, context, at, message));
});

describe('at run time', () => {
  it('a row whose NOT NULL column is NULL fails the run naming the function', async () => {
    const proto = CharCodes.prototype as unknown as { eval: (s: string) => Iterable<unknown> };
    const evalOf = proto.eval;
    proto.eval = function* () { yield { ch: null, code: 1 }; };
    try {
      await expect(env().sqlQuery("SELECT ch FROM lines, LATERAL TABLE(char_codes(COALESCE(line, '')))").collect())
        .rejects.toThrow("table function 'char_codes' yielded a row whose column ch is null, but it is declared STRING NOT NULL");
    } finally {
      proto.eval = evalOf;
    }
  });
});
