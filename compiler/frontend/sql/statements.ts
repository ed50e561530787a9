// One SQL statement at a time: CREATE TABLE / VIEW, DROP TABLE / VIEW, INSERT INTO (also in a STATEMENT SET, and
// lowered without being added for StatementSet.addInsertSql),
// SET 'key' = 'value', and queries. Every other statement is reported as not supported, by its keywords.
import type { ParserRuleContext } from 'antlr4ng';
import {
  FlinkSqlParser, type DdlStatementContext, type InsertSimpleStatementContext, type SqlStatementContext,
} from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { nearest } from '../../../runtime/core/options.js';
import type { Table } from '../../api/table.js';
import type { SourceLoc } from '../../../runtime/core/plan.js';
import type { LExpr } from '../../ir/logical-expr.js';
import { tableDefOf } from './create-table.js';
import { pathOf, stringValue, tableName, unquoteName } from './names.js';
import { lowerQuery, renamed, type QueryContext } from './query.js';

/** Runs a statement against the environment; a query returns its Table. */
export function executeStatement(q: QueryContext, stmt: SqlStatementContext): Table | undefined {
  const dml = stmt.dmlStatement();
  if (dml?.queryStatement()) return lowerQuery(q, dml.queryStatement()!);
  const insert = dml?.insertStatement();
  if (insert) {
    const simple = insert.insertSimpleStatement();
    const set = insert.insertMulStatement() ?? insert.insertMulStatementCompatibility();
    for (const s of simple ? [simple] : set!.insertSimpleStatement()) {
      const ins = lowerInsert(q, s);
      q.env.insertInto(ins.table, ins.query, ins.loc);
    }
    return undefined;
  }
  const ddl = stmt.ddlStatement();
  if (ddl) return ddlStatement(q, ddl);
  const set = stmt.setStatement();
  if (set?.tableProperty()) {
    const p = set.tableProperty()!;
    const value = p.tablePropertyValue();
    if (!value) throw q.text.error(`SET needs a value`, p, `SET '${unquoteName(p.tablePropertyKey().getText())}' = '...'`);
    q.env.getConfig().set(unquoteName(p.tablePropertyKey().getText()), stringValue(value.getText()));
    return undefined;
  }
  throw q.text.unsupported(leadingKeywords(stmt), stmt);
}

function ddlStatement(q: QueryContext, ddl: DdlStatementContext): undefined {
  const { env, text } = q;
  const create = ddl.createTable();
  if (create) {
    const simple = create.simpleCreateTable();
    if (!simple) throw text.unsupported('CREATE TABLE ... AS SELECT', create, 'CREATE TABLE with columns, then INSERT INTO ... SELECT');
    const def = tableDefOf(text, simple);
    if (!(simple.ifNotExists() && env.tableDef(def.name))) env.registerTable(def);
    return undefined;
  }
  const view = ddl.createView();
  if (view) {
    const name = tableName(pathOf(view.viewPathCreate()));
    if (view.ifNotExists() && env.tableDef(name)) return undefined;
    const table = lowerQuery(q, view.queryStatement());
    const columns = view.columnNameList()?.columnName().map((c) => pathOf(c).join('.'));
    env.createTemporaryView(name, columns ? renamed(text, table, columns, view.columnNameList()) : table);
    return undefined;
  }
  const drop = ddl.dropTable() ?? ddl.dropView();
  if (drop) {
    const path = 'tablePath' in drop ? drop.tablePath() : drop.viewPath();
    env.dropTable(tableName(pathOf(path)), !!drop.ifExists(), text.loc(path));
    return undefined;
  }
  throw text.unsupported(leadingKeywords(ddl), ddl, ddl.createFunction()
    ? 'declare UDFs in udfs/ (they are registered by name) or call createTemporarySystemFunction' : undefined);
}

/** An INSERT lowered but not yet added to the plan: its target table, its query and where the target is named. */
export interface LoweredInsert {
  table: string;
  query: Table;
  loc: SourceLoc | undefined;
}

/** INSERT INTO t [(columns)] SELECT ...; listed columns take the query's columns in order, the others NULL. */
export function lowerInsert(q: QueryContext, ctx: InsertSimpleStatementContext): LoweredInsert {
  const { env, text } = q;
  if (ctx.KW_OVERWRITE()) throw text.unsupported('INSERT OVERWRITE', ctx.KW_OVERWRITE(), 'INSERT INTO');
  if (ctx.insertPartitionDefinition()) throw text.unsupported('INSERT ... PARTITION', ctx.insertPartitionDefinition());
  if (!ctx.queryStatement()) throw text.unsupported('INSERT ... VALUES', ctx.valuesDefinition(), 'INSERT INTO ... SELECT ... FROM a table');
  const path = ctx.tablePath();
  const name = tableName(pathOf(path));
  const loc = text.loc(path);
  let table = lowerQuery(q, ctx.queryStatement()!);
  const list = ctx.columnNameList();
  const def = env.tableDef(name);
  if (list && def) {
    const listed = list.columnName().map((c) => ({ name: pathOf(c).join('.'), at: c }));
    const sinkColumns = def.columns.filter((c) => c.kind === 'physical');
    for (const c of listed) {
      if (!sinkColumns.some((s) => s.name === c.name)) {
        const near = nearest(c.name, sinkColumns.map((s) => s.name));
        throw text.error(`sink table '${name}' has no column '${c.name}'`, c.at, near ? `did you mean '${near}'?` : `columns: ${sinkColumns.map((s) => s.name).join(', ')}`);
      }
    }
    const schema = table.getSchema();
    if (listed.length !== schema.length) throw text.error(`INSERT lists ${listed.length} column(s) but the query has ${schema.length}`, list);
    const listLoc = text.loc(list);
    table = table.project(sinkColumns.map((s): LExpr => {
      const i = listed.findIndex((c) => c.name === s.name);
      const value: LExpr = i >= 0 ? { kind: 'ref', name: schema[i].name, loc: text.loc(listed[i].at) } : { kind: 'cast', expr: { kind: 'lit', value: null, loc: listLoc }, type: s.type, loc: listLoc };
      return { kind: 'alias', expr: value, name: s.name, loc: listLoc };
    }), listLoc);
  }
  return { table: name, query: table, loc };
}

/** The keywords a statement starts with (SHOW TABLES, CREATE DATABASE), to name what is not supported. */
function leadingKeywords(ctx: ParserRuleContext): string {
  const words: string[] = [];
  const visit = (node: ParserRuleContext): boolean => {
    for (const child of node.children ?? []) {
      if ('symbol' in child) {
        const token = (child as { symbol: { type: number; text?: string } }).symbol;
        if (!FlinkSqlParser.symbolicNames[token.type]?.startsWith('KW_') || words.length === 4) return false;
        words.push(token.text!.toUpperCase());
      } else if (!visit(child as ParserRuleContext)) {
        return false;
      }
    }
    return true;
  };
  visit(ctx);
  return words.join(' ') || 'this statement';
}
