// CREATE TABLE to a TableDef: physical columns with their types, computed columns, `proc AS PROCTIME()`,
// `WATERMARK FOR ts AS ts - INTERVAL ...`, primary keys and the WITH options, each with its location.
import type { ComputedColumnDefinitionContext, SimpleCreateTableContext, TablePropertyContext, WatermarkDefinitionContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { withType } from '../../../runtime/core/data-types.js';
import { nearest } from '../../../runtime/core/options.js';
import type { SourceLoc } from '../../../runtime/core/plan.js';
import type { ColumnDef, TableDef } from '../../ir/catalog.js';
import { stripAlias, type LExpr } from '../../ir/logical-expr.js';
import { dataTypeOf } from './data-type.js';
import { ExprConverter, type ExprScope } from './expression.js';
import { pathOf, tableName, unquoteName, stringValue } from './names.js';
import type { SqlNode, SqlText } from './sql-text.js';

export function tableDefOf(text: SqlText, ctx: SimpleCreateTableContext): TableDef {
  if (ctx.partitionDefinition()) throw text.unsupported('PARTITIONED BY', ctx.partitionDefinition());
  if (ctx.likeDefinition()) throw text.unsupported('CREATE TABLE ... LIKE', ctx.likeDefinition(), 'declare all columns and options');
  if (ctx.selfDefinitionClause()) throw text.unsupported('PERIOD FOR SYSTEM_TIME', ctx.selfDefinitionClause());
  const name = tableName(pathOf(ctx.tablePathCreate()));
  const exprs = new ExprConverter(text, columnScope(text, `table '${name}'`));
  const columns: ColumnDef[] = [];
  let primaryKey: string[] = [];
  const declare = (c: ColumnDef, at: SqlNode) => {
    if (columns.some((x) => x.name === c.name)) throw text.error(`column '${c.name}' is declared twice in table '${name}'`, at);
    columns.push(c);
  };
  for (const def of ctx.columnOptionDefinition()) {
    const physical = def.physicalColumnDefinition();
    const computed = def.computedColumnDefinition();
    if (physical) {
      const nameCtx = physical.columnNameCreate();
      const column = columnName(text, nameCtx);
      let type = dataTypeOf(text, physical.columnType());
      const constraint = physical.columnConstraint();
      if (constraint?.KW_PRIMARY()) {
        // The grammar only accepts NOT ENFORCED or nothing here; Flink does not own the data, so never enforces.
        primaryKey = [column];
      } else if (constraint?.KW_NULL()) {
        type = withType(type, { nullable: !constraint.KW_NOT() });
      }
      declare({ kind: 'physical', name: column, type, loc: text.loc(nameCtx) }, nameCtx);
    } else if (computed) {
      declare(computedColumn(text, exprs, computed), computed);
    } else {
      throw text.unsupported('METADATA columns', def, 'declare the value as a physical column');
    }
  }
  const constraint = ctx.tableConstraint();
  if (constraint) {
    if (primaryKey.length) throw text.error(`table '${name}' declares its primary key twice`, constraint);
    primaryKey = constraint.columnNameList().columnName().map((c) => {
      const key = pathOf(c).join('.');
      if (!columns.some((x) => x.name === key)) throw unknownColumn(text, key, columns, name, c);
      return key;
    });
  }
  // Primary key columns are NOT NULL, as Flink makes them.
  const keyed = columns.map((c): ColumnDef => (c.kind === 'physical' && primaryKey.includes(c.name) ? { ...c, type: withType(c.type, { nullable: false }) } : c));
  const { options, optionLocs } = optionsOf(text, ctx.withOption().tablePropertyList().tableProperty());
  return {
    name, columns: keyed, primaryKey, options, optionLocs, loc: text.loc(ctx.tablePathCreate()),
    watermark: ctx.watermarkDefinition() ? watermarkOf(text, exprs, ctx.watermarkDefinition()!, keyed, name) : null,
  };
}

/** Column references inside DDL: plain names of the table's own columns, resolved when the table is scanned. */
export function columnScope(text: SqlText, what: string): ExprScope {
  return {
    column: (parts, node) => {
      if (parts.length !== 1) throw text.unsupported(`the qualified name ${parts.join('.')} in ${what}`, node, `write ${parts[parts.length - 1]}`);
      return { kind: 'ref', name: parts[0], loc: text.loc(node) };
    },
    windowAuxiliary: (fn, _p, _a, node) => { throw text.error(`${fn}(...) needs a GROUP BY window; it cannot appear in ${what}`, node); },
  };
}

function columnName(text: SqlText, ctx: Parameters<typeof pathOf>[0]): string {
  const parts = pathOf(ctx);
  if (parts.length !== 1) throw text.error(`'${text.source(ctx)}' is not a column name`, ctx);
  return parts[0];
}

function computedColumn(text: SqlText, exprs: ExprConverter, ctx: ComputedColumnDefinitionContext): ColumnDef {
  const name = columnName(text, ctx.columnNameCreate());
  const expr = exprs.expression(ctx.computedColumnExpression().expression());
  const loc = text.loc(ctx.columnNameCreate());
  if (expr.kind === 'call' && expr.fn.toUpperCase() === 'PROCTIME' && !expr.args.length) return { kind: 'proctime', name, loc };
  return { kind: 'computed', name, expr, loc };
}

/** `WATERMARK FOR ts AS ts - INTERVAL '5' SECOND` (bounded out-of-orderness) or `AS ts` (ascending, no delay). */
function watermarkOf(text: SqlText, exprs: ExprConverter, ctx: WatermarkDefinitionContext, columns: ColumnDef[], table: string): TableDef['watermark'] {
  const column = columnName(text, ctx.columnName());
  if (!columns.some((c) => c.name === column)) throw unknownColumn(text, column, columns, table, ctx.columnName());
  const e = stripAlias(exprs.expression(ctx.expression()));
  const isColumn = (x: LExpr | undefined) => x?.kind === 'ref' && x.name === column;
  let delayMs: number | undefined;
  if (isColumn(e)) delayMs = 0;
  else if (e.kind === 'call' && e.fn === 'minus' && isColumn(e.args[0]) && e.args[1]?.kind === 'interval') delayMs = e.args[1].millis;
  if (delayMs === undefined || delayMs < 0) {
    throw text.unsupported(`the watermark expression ${text.source(ctx.expression())}`, ctx.expression(),
      `write WATERMARK FOR ${column} AS ${column} - INTERVAL '5' SECOND (or AS ${column} for no delay)`);
  }
  return { column, delayMs, loc: text.loc(ctx.columnName()) };
}

function optionsOf(text: SqlText, props: TablePropertyContext[]): { options: Record<string, string>; optionLocs: Record<string, SourceLoc> } {
  const options: Record<string, string> = {};
  const optionLocs: Record<string, SourceLoc> = {};
  for (const p of props) {
    const keyCtx = p.tablePropertyKey();
    // 'quoted.key' and unquoted dotted keys (k.y = 1) both name the option as written.
    const key = keyCtx.STRING_LITERAL() || !keyCtx.dereferenceDefinition() ? unquoteName(keyCtx.getText()) : pathOf(keyCtx).join('.');
    const value = p.tablePropertyValue();
    if (!value) throw text.error(`option '${key}' has no value`, keyCtx, `'${key}' = '...'`);
    if (key in options) throw text.error(`option '${key}' is given twice`, keyCtx);
    options[key] = value.STRING_LITERAL() ? stringValue(value.getText()) : value.getText();
    const loc = text.loc(keyCtx);
    if (loc) optionLocs[key] = loc;
  }
  return { options, optionLocs };
}

function unknownColumn(text: SqlText, column: string, columns: ColumnDef[], table: string, at: SqlNode) {
  const names = columns.map((c) => c.name);
  const near = nearest(column, names);
  return text.error(`unknown column '${column}' in table '${table}'`, at, near ? `did you mean '${near}'?` : `columns: ${names.join(', ')}`);
}
