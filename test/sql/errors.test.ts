// Every class of SQL error is a CompileError at the offending token in the job file (file:line:col inside
// the string literal), with a hint. The fixtures call executeSql/sqlQuery, so the call sites are real.
import { beforeEach, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { formatLoc } from '../../compiler/ir/source-loc.js';
import * as jobs from './fixtures/error-job.js';
import { createTransactions } from './fixtures/seed-job.js';
import { compileError, fixtureLoc } from './helpers.js';

const at = (needle: string, occurrence = 0) => fixtureLoc('error-job.ts', needle, occurrence);
let env: TableEnvironment;

beforeEach(() => {
  env = TableEnvironment.create();
  createTransactions(env);
});

describe('SQL errors point into the job file', () => {
  it('syntax error: the parser message as hint, at the offending token of a multi-line template', () => {
    const e = compileError(() => jobs.syntaxError(env));
    expect(e.message).toBe("SQL syntax error at 'FROM'");
    expect(e.hint).toMatch(/'FROM' is not valid at this position/);
    expect(e.loc).toEqual(at('FROM transactions`'));
  });

  it('a misspelled type: the parser message and the nearest word', () => {
    const e = compileError(() => env.executeSql("CREATE TABLE t (k INT, v BIGNT) WITH ('connector' = 'datagen')"));
    expect(e.message).toBe("SQL syntax error at 'BIGNT'");
    expect(e.hint).toMatch(/is not valid at this position.*; did you mean BIGINT\?$/);
  });

  it('syntax error at the end of the input points at the closing quote', () => {
    const e = compileError(() => jobs.incomplete(env));
    expect(e.message).toBe('SQL syntax error at end of input');
    expect(e.loc).toEqual(at('");', 0));
    expect(e.hint).toBeTruthy();
  });

  it('unknown table, in the second piece of a + concatenation, with the nearest name', () => {
    const e = compileError(() => jobs.unknownTable(env));
    expect(e.message).toBe("table 'transaction' is not defined");
    expect(e.hint).toBe("did you mean 'transactions'?");
    expect(e.loc).toEqual(at('transaction"'));
  });

  it('unknown column inside an aggregate, on a later line of the template', () => {
    const e = compileError(() => jobs.unknownColumn(env));
    expect(e.message).toBe("unknown column 'amout' in the input");
    expect(e.hint).toMatch(/did you mean 'amount'\?/);
    expect(e.loc).toEqual(at('amout'));
    expect(formatLoc(e.loc)).toMatch(/^test\/sql\/fixtures\/error-job\.ts:\d+:\d+$/);
  });

  it('unknown function, after escape sequences in a single-quoted string', () => {
    const e = compileError(() => jobs.unknownFunction(env));
    expect(e.message).toBe("unknown function 'to_upper'");
    expect(e.loc).toEqual(at('to_upper'));
    expect(e.hint).toBeTruthy();
  });

  it.each([
    ['unsupportedJoin', 'NATURAL JOIN is not supported', 'NATURAL JOIN transactions u'],
    ['unsupportedOver', 'LEAD is not supported on a stream, as in Flink ("LEAD Function is not supported in stream mode")', 'LEAD(amount)'],
  ] as const)('%s: names the construct', (fn, message, needle) => {
    const e = compileError(() => jobs[fn](env));
    expect(e.message).toBe(message);
    expect(e.loc).toEqual(at(needle));
  });

  it('aggregates: COLLECT and FILTER where sluice does not take them name what to write instead', () => {
    const collect = compileError(() => jobs.unsupportedCollect(env));
    expect(collect.message).toBe('COLLECT (its result is a MULTISET) is not supported');
    expect(collect.hint).toMatch(/JSON_ARRAYAGG/);
    expect(collect.loc).toEqual(at('COLLECT(amount)'));
    const over = compileError(() => jobs.filterOnOver(env));
    expect(over.message).toBe('SUM(...) FILTER (WHERE ...) OVER is not supported');
    expect(over.hint).toMatch(/CASE WHEN/);
    expect(over.loc).toEqual(at('SUM(amount) FILTER'));
    const scalar = compileError(() => jobs.filterOnScalar(env));
    expect(scalar.message).toBe('FILTER (WHERE ...) applies to aggregate functions, not UPPER');
    expect(scalar.loc).toEqual(at('UPPER(account_id) FILTER'));
  });

  it('a FILTER condition is read where it is written: an unknown column in it, on the next line', () => {
    const e = compileError(() => jobs.filterUnknownColumn(env));
    expect(e.message).toBe("unknown column 'amout' in the input");
    expect(e.loc).toEqual(at('amout > 10'));
  });

  it('a type error in SQL held in a const points into the const', () => {
    const e = compileError(() => jobs.typeErrorViaConst(env));
    expect(e.message).toBe('cannot compare BIGINT with STRING NOT NULL');
    expect(e.loc).toEqual(at("> 'x'"));
  });

  it('computed SQL falls back to the call location', () => {
    const e = compileError(() => jobs.computedSql(env, 'nope'));
    expect(e.message).toBe("unknown column 'nope' in the input");
    expect(e.loc).toEqual(at('sqlQuery(`SELECT ${column}'));
  });

  it('errors in later statements of one executeSql', () => {
    const e = compileError(() => jobs.errorInSecondStatement(env));
    expect(e.message).toBe("sink table 'missing_sink' is not defined");
    expect(e.loc).toEqual(at('missing_sink'));
    const s = compileError(() => jobs.unsupportedStatement(env));
    expect(s.message).toBe('SHOW TABLES is not supported');
    expect(s.loc).toEqual(at('SHOW TABLES'));
  });
});
