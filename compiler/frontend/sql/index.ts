// SQL entry points used by TableEnvironment: executeSql (DDL, INSERT, SET and a trailing SELECT, ';'-separated)
// and sqlQuery (one SELECT). SQL is parsed with dt-sql-parser's Flink grammar and lowered into the same
// Table API calls a Table API job makes; errors point into the SQL string inside the job file.
import type { SourceLoc } from '../../../runtime/core/plan.js';
import type { Table } from '../../api/table.js';
import { parseProgram } from './parse-sql.js';
import { lowerQuery, type QueryContext, type SqlEnvironment } from './query.js';
import { SqlText } from './sql-text.js';
import { executeStatement, lowerInsert, type LoweredInsert } from './statements.js';

/** Executes ';'-separated statements; returns the Table of a trailing SELECT, if any. */
export function executeSqlStatements(env: SqlEnvironment, sql: string, loc: SourceLoc | undefined): Table | undefined {
  const { q, statements } = parse(env, sql, loc);
  if (!statements.length) throw q.text.error('executeSql got no SQL statement', null, 'CREATE TABLE ..., INSERT INTO ... SELECT ..., or a SELECT');
  let result: Table | undefined;
  statements.forEach((stmt, i) => {
    const table = executeStatement(q, stmt);
    if (table && i < statements.length - 1) {
      throw q.text.error('a SELECT can only be the last statement of executeSql', stmt, 'run it with sqlQuery(...), or INSERT INTO a table');
    }
    result = table;
  });
  return result;
}

export function parseSqlQuery(env: SqlEnvironment, sql: string, loc: SourceLoc | undefined): Table {
  const { q, statements } = parse(env, sql, loc);
  const query = statements.length === 1 ? statements[0].dmlStatement()?.queryStatement() : undefined;
  if (!query) {
    throw q.text.error('sqlQuery takes exactly one SELECT', statements[statements.length > 1 ? 1 : 0] ?? null,
      'run DDL and INSERT statements with executeSql(...)');
  }
  return lowerQuery(q, query);
}

/** One `INSERT INTO ... SELECT ...`, lowered but not added to the plan (StatementSet.addInsertSql). */
export function parseInsertSql(env: SqlEnvironment, sql: string, loc: SourceLoc | undefined): LoweredInsert {
  const { q, statements } = parse(env, sql, loc);
  const insert = statements.length === 1 ? statements[0].dmlStatement()?.insertStatement()?.insertSimpleStatement() : undefined;
  if (!insert) {
    throw q.text.error('addInsertSql takes exactly one INSERT INTO ... SELECT ...', statements[statements.length > 1 ? 1 : 0] ?? null,
      'add each INSERT with its own addInsertSql(...); run DDL with executeSql(...)');
  }
  return lowerInsert(q, insert);
}

function parse(env: SqlEnvironment, sql: string, loc: SourceLoc | undefined) {
  const text = new SqlText(sql, loc);
  const { tree, input } = parseProgram(text);
  const statements = tree.singleStatement().flatMap((s) => s.sqlStatement() ?? []);
  const q: QueryContext = { env, text, input, ctes: new Map() };
  return { q, statements };
}
