// SQL expressions to unresolved expressions (LExpr), each with the location of its token in the job file.
// Functions become calls by name (builtins, aggregates and UDFs are told apart when the Table API resolves
// them); columns go through the scope, which knows table aliases and window columns.
import {
  ArithmeticBinaryContext, ArithmeticUnaryContext, CastContext, ColumnReferenceContext, ComparisonContext,
  ConstantDefaultContext, DereferenceContext, ExistsContext, FunctionCallContext, LogicalBinaryContext,
  LogicalNestedContext, LogicalNotContext, ParenthesizedExpressionContext, PositionContext, PredicatedContext,
  SearchedCaseContext, SimpleCaseContext, StarContext, SubqueryExpressionContext, SubscriptContext, ValueExpressionDefaultContext,
  type BooleanExpressionContext, type ConstantContext, type ExpressionContext, type FunctionCallExpressionContext,
  type FunctionParamContext, type PredicateContext, type PrimaryExpressionContext, type QueryStatementContext, type ValueExpressionContext,
} from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import type { Token } from 'antlr4ng';
import { DataTypes, typeToString } from '../../../runtime/core/data-types.js';
import type { WindowProperty } from '../../../runtime/core/plan.js';
import { isAggregateName, type LExpr } from '../../ir/logical-expr.js';
import { dataTypeOf } from './data-type.js';
import { intervalLiteral, unitName } from './interval.js';
import { isQuotedName, pathOf, stringValue, unquoteName } from './names.js';
import { parseExpressionAt, parseTypeAt } from './parse-sql.js';
import type { CallClauses, JsonBehaviour, SqlNode, SqlText, TextRange } from './sql-text.js';

/** What names mean where an expression is written. */
export interface ExprScope {
  /** A column as written (`col`, `alias.col`); the scope checks the qualifier and may map the name (window_start). */
  column(parts: string[], node: SqlNode): LExpr;
  /** TUMBLE_START(ts, INTERVAL ...) and the other group-window auxiliary functions. */
  windowAuxiliary(fn: string, property: WindowProperty, args: LExpr[], node: SqlNode): LExpr;
  /** A subquery's value (scalar, or the truth of IN / EXISTS): the column the query joined it as (subquery-columns.ts), if it did. */
  subquery?(query: QueryStatementContext): LExpr | undefined;
}

const COMPARISONS: Record<string, string> = { '=': 'eq', '<>': 'ne', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
const ARITHMETIC: Record<string, string> = { '*': 'times', '/': 'divide', '%': 'mod', '+': 'plus', '-': 'minus', '||': 'concat' };
const WINDOW_AUXILIARY = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME|PROCTIME)$/;
const GROUP_WINDOWS = /^(TUMBLE|HOP|SESSION|CUMULATE)$/;
/** The ON EMPTY / ON ERROR behaviours each SQL/JSON query function takes, and its syntax for hints. */
const JSON_CLAUSES: Record<string, string[]> = {
  JSON_VALUE: ['NULL', 'ERROR', 'DEFAULT'],
  JSON_QUERY: ['NULL', 'ERROR', 'EMPTY ARRAY', 'EMPTY OBJECT'],
  JSON_EXISTS: ['TRUE', 'FALSE', 'UNKNOWN', 'ERROR'],
};
const JSON_SYNTAX: Record<string, string> = {
  JSON_VALUE: "JSON_VALUE(js, '$.a' [RETURNING STRING | BOOLEAN | INT | DOUBLE] [NULL | ERROR | DEFAULT x ON EMPTY] [NULL | ERROR | DEFAULT x ON ERROR])",
  JSON_QUERY: "JSON_QUERY(js, '$.a' [RETURNING STRING | ARRAY<STRING>] [WITHOUT | WITH [CONDITIONAL | UNCONDITIONAL] [ARRAY] WRAPPER] [NULL | ERROR | EMPTY ARRAY | EMPTY OBJECT ON EMPTY] [... ON ERROR])",
  JSON_EXISTS: "JSON_EXISTS(js, '$.a' [TRUE | FALSE | UNKNOWN | ERROR ON ERROR])",
};
const SUBQUERY_HINT = 'subqueries are supported in the WHERE, select list and HAVING of a SELECT ... FROM: x IN (SELECT y FROM r), EXISTS (SELECT * FROM r WHERE r.k = t.k), (SELECT MAX(x) FROM r WHERE r.k = t.k)';
/** Flink's default ON NULL behaviour of each JSON constructor. */
const JSON_ON_NULL_DEFAULT: Record<string, 'NULL' | 'ABSENT'> = { JSON_OBJECT: 'NULL', JSON_ARRAY: 'ABSENT', JSON_OBJECTAGG: 'NULL', JSON_ARRAYAGG: 'ABSENT' };

export class ExprConverter {
  constructor(readonly text: SqlText, private readonly scope: ExprScope) {}

  expression(ctx: ExpressionContext): LExpr {
    return this.boolean(ctx.booleanExpression());
  }

  /** A value (an ORDER BY item). */
  valueExpression(ctx: ValueExpressionContext): LExpr {
    return this.value(ctx);
  }

  /** A condition (WHERE, HAVING). */
  condition(ctx: BooleanExpressionContext): LExpr {
    return this.boolean(ctx);
  }

  /** The arguments of a call; `f()` parses as one empty parameter. */
  arguments(f: FunctionCallExpressionContext): LExpr[] {
    return f.functionParam().filter((p) => p.getText() !== '').map((p) => this.param(p));
  }

  private call(fn: string, args: LExpr[], at: SqlNode, distinct?: boolean): LExpr {
    return { kind: 'call', fn, args, ...(distinct ? { distinct } : {}), loc: this.text.loc(at) };
  }

  private boolean(ctx: BooleanExpressionContext): LExpr {
    if (ctx instanceof PredicatedContext) {
      const value = this.value(ctx.valueExpression());
      const p = ctx.predicate();
      return p ? this.predicate(value, p) : value;
    }
    if (ctx instanceof LogicalNotContext) return this.call('not', [this.boolean(ctx.booleanExpression())], ctx.KW_NOT());
    if (ctx instanceof LogicalBinaryContext) {
      return this.call(ctx._operator!.text!.toLowerCase(), [this.boolean(ctx._left!), this.boolean(ctx._right!)], ctx._operator);
    }
    if (ctx instanceof LogicalNestedContext) return this.truthTest(this.boolean(ctx.booleanExpression()), ctx._kind!, !!ctx.KW_NOT(), ctx.KW_IS());
    const exists = ctx instanceof ExistsContext ? this.scope.subquery?.(ctx.queryStatement()) : undefined;
    if (exists) return exists;
    throw this.text.unsupported('EXISTS (subquery) here', ctx, SUBQUERY_HINT);
  }

  /** IS [NOT] NULL / UNKNOWN / TRUE / FALSE. */
  private truthTest(value: LExpr, kind: Token, not: boolean, at: SqlNode): LExpr {
    const k = kind.text!.toUpperCase();
    if (k === 'NULL' || k === 'UNKNOWN') return this.call(not ? 'isNotNull' : 'isNull', [value], at);
    const test = this.call(k === 'TRUE' ? 'isTrue' : 'isFalse', [value], at);
    // IS NOT TRUE holds for FALSE and NULL: the negation of a test that is never NULL.
    return not ? this.call('not', [test], at) : test;
  }

  private predicate(value: LExpr, p: PredicateContext): LExpr {
    const like = p.likePredicate();
    if (like) {
      if (like._quantifier) throw this.text.unsupported(`LIKE ${like._quantifier.text!.toUpperCase()} (...)`, like);
      const escape = like.stringLiteral();
      const args = [value, this.value(like._pattern!), ...(escape ? [this.literal(stringValue(escape.getText()), escape)] : [])];
      return this.call(like.KW_NOT() ? 'notLike' : 'like', args, like.KW_LIKE());
    }
    const kind = (p._kind?.text ?? '').toUpperCase();
    const not = !!p.KW_NOT() || (!!p.KW_JSON() && !!this.text.clauses.get(p.KW_JSON()!.symbol.start)?.notJson);
    if (p.KW_JSON()) {
      // IS [NOT] JSON [VALUE | SCALAR | ARRAY | OBJECT]
      const kind = p.KW_ARRAY() ? 'ARRAY' : p.KW_VALUE() ? 'VALUE' : (p.identifier()?.getText().toUpperCase() ?? 'VALUE');
      if (!['VALUE', 'SCALAR', 'ARRAY', 'OBJECT'].includes(kind)) throw this.text.unsupported(`IS JSON ${kind}`, p, 'IS JSON [VALUE | SCALAR | ARRAY | OBJECT]');
      const test = this.call('isJson', [value, this.literal(kind, p)], p._kind);
      return not ? this.call('not', [test], p._kind) : test;
    }
    switch (kind) {
      case 'BETWEEN':
        if (p.KW_SYMMETRIC()) {
          // BETWEEN SYMMETRIC a AND b holds between the smaller and the larger bound, whichever is written first.
          const [lo, hi] = [this.value(p._lower!), this.value(p._upper!)];
          const either = this.call('or', [this.call('between', [value, lo, hi], p._kind), this.call('between', [value, hi, lo], p._kind)], p._kind);
          return not ? this.call('not', [either], p._kind) : either;
        }
        return this.call(not ? 'notBetween' : 'between', [value, this.value(p._lower!), this.value(p._upper!)], p._kind);
      case 'IN':
        if (p.queryStatement()) {
          const found = this.scope.subquery?.(p.queryStatement()!);
          if (!found) throw this.text.unsupported('IN (subquery) here', p.queryStatement(), SUBQUERY_HINT);
          // NOT IN is the negation of IN's three values (unknown stays unknown).
          return not ? this.call('not', [found], p._kind) : found;
        }
        return this.call(not ? 'notIn' : 'in', [value, ...p.expression().map((e) => this.expression(e))], p._kind);
      case 'NULL': case 'UNKNOWN': case 'TRUE': case 'FALSE':
        return this.truthTest(value, p._kind!, not, p.KW_IS());
      case 'DISTINCT': return this.call(not ? 'isNotDistinctFrom' : 'isDistinctFrom', [value, this.value(p._right!)], p._kind);
      case 'SIMILAR': {
        const escape = p.stringLiteral();
        const similar = this.call('similarTo', [value, this.value(p._right!), ...(escape ? [this.literal(stringValue(escape.getText()), escape)] : [])], p._kind);
        return not ? this.call('not', [similar], p._kind) : similar;
      }
      case 'RLIKE': throw this.text.unsupported('RLIKE', p, 'use LIKE');
      case 'EXISTS': throw this.text.unsupported('EXISTS (subquery) here', p, SUBQUERY_HINT);
      default: throw this.text.unsupported(`the predicate ${this.text.source(p)}`, p);
    }
  }

  private value(ctx: ValueExpressionContext): LExpr {
    if (ctx instanceof ValueExpressionDefaultContext) return this.primary(ctx.primaryExpression());
    if (ctx instanceof ComparisonContext) {
      const op = ctx.comparisonOperator();
      const fn = COMPARISONS[op.getText()];
      if (!fn) throw this.text.unsupported(`the operator ${op.getText()}`, op);
      return this.call(fn, [this.value(ctx._left!), this.value(ctx._right!)], op);
    }
    if (ctx instanceof ArithmeticBinaryContext) {
      const op = ctx._operator!.text!.toUpperCase();
      const fn = ARITHMETIC[op];
      if (!fn) throw this.text.unsupported(op === 'DIV' ? 'DIV' : `the bitwise operator ${op}`, ctx._operator, op === 'DIV' ? 'use FLOOR(a / b)' : undefined);
      return this.call(fn, [this.value(ctx._left!), this.value(ctx._right!)], ctx._operator);
    }
    if (ctx instanceof ArithmeticUnaryContext) {
      const operand = this.value(ctx.valueExpression());
      if (ctx.ADD_SIGN()) return operand;
      if (!ctx.HYPHEN_SIGN()) throw this.text.unsupported('the bitwise operator ~', ctx);
      if (operand.kind === 'lit' && typeof operand.value === 'number') return { ...operand, value: -operand.value, loc: this.text.loc(ctx) };
      if (operand.kind === 'interval') return { ...operand, millis: -operand.millis, ...(operand.months === undefined ? {} : { months: -operand.months }), loc: this.text.loc(ctx) };
      return this.call('negate', [operand], ctx);
    }
    throw this.text.unsupported(`the expression ${this.text.source(ctx)}`, ctx);
  }

  private primary(ctx: PrimaryExpressionContext): LExpr {
    if (ctx instanceof ColumnReferenceContext) return this.scope.column(pathOf(ctx.columnNamePath()), ctx);
    if (ctx instanceof DereferenceContext) return this.scope.column(pathOf(ctx.dereferenceDefinition()), ctx);
    if (ctx instanceof ConstantDefaultContext) return this.constant(ctx.constant());
    if (ctx instanceof FunctionCallContext) return this.functionCall(ctx.functionCallExpression());
    if (ctx instanceof ParenthesizedExpressionContext) return this.expression(ctx.expression());
    if (ctx instanceof CastContext) {
      // parse-sql blanks the TRY_ of TRY_CAST: the original text still has it.
      const start = ctx.start!.start;
      const isTry = this.text.sql.slice(Math.max(0, start - 4), start).toUpperCase() === 'TRY_';
      return { kind: 'cast', expr: this.expression(ctx.expression()), type: dataTypeOf(this.text, ctx.columnType()), ...(isTry ? { try: true } : {}), loc: this.text.loc(ctx) };
    }
    if (ctx instanceof SearchedCaseContext) {
      const branches = ctx.whenClause().flatMap((w) => [this.expression(w._condition!), this.expression(w._result!)]);
      return this.call('case', [...branches, this.orNull(ctx._elseExpression, ctx)], ctx);
    }
    if (ctx instanceof SimpleCaseContext) {
      // CASE v WHEN a THEN x ... is CASE WHEN v = a THEN x ...
      const subject = this.expression(ctx._value!);
      const branches = ctx.whenClause().flatMap((w) => [
        this.call('eq', [subject, this.expression(w._condition!)], w), this.expression(w._result!)]);
      return this.call('case', [...branches, this.orNull(ctx._elseExpression, ctx)], ctx);
    }
    if (ctx instanceof PositionContext) return this.call('position', [this.value(ctx._substr!), this.value(ctx._str!)], ctx);
    if (ctx instanceof StarContext) return { kind: 'star', loc: this.text.loc(ctx) };
    if (ctx instanceof SubscriptContext) {
      const base = this.primary(ctx.primaryExpression());
      const bracket = ctx.LS_BRACKET();
      // parse-sql rewrites the field access `x.f` to `x[f]`: the original text still has the '.'.
      if (this.text.sql[this.text.offset(bracket.symbol.start)] === '.') {
        return this.call('field', [base, this.literal(unquoteName(this.text.source(ctx.valueExpression())), ctx.valueExpression())], bracket);
      }
      return this.call('item', [base, this.value(ctx.valueExpression())], bracket);
    }
    if (ctx instanceof SubqueryExpressionContext) {
      const value = this.scope.subquery?.(ctx.queryStatement());
      if (value) return value;
      throw this.text.unsupported('a subquery here', ctx, SUBQUERY_HINT);
    }
    const construct: Record<string, string> = {
      FirstContext: 'FIRST(...)', LastContext: 'LAST(...)',
    };
    throw this.text.unsupported(construct[ctx.constructor.name] ?? `the expression ${this.text.source(ctx)}`, ctx);
  }

  private orNull(e: ExpressionContext | undefined, at: SqlNode): LExpr {
    return e ? this.expression(e) : { kind: 'lit', value: null, loc: this.text.loc(at) };
  }

  private literal(value: string | number | boolean | null, at: SqlNode): LExpr {
    return { kind: 'lit', value, loc: this.text.loc(at) };
  }

  private constant(c: ConstantContext): LExpr {
    const interval = c.timeIntervalExpression();
    if (interval) return intervalLiteral(this.text, interval);
    const str = c.stringLiteral();
    if (str) {
      const raw = str.getText();
      // The grammar reads `name` as a string constant; in Flink it is a quoted column name.
      return isQuotedName(raw) ? this.scope.column([unquoteName(raw)], c) : this.literal(stringValue(raw), c);
    }
    const digits = c.decimalLiteral();
    if (digits || c.REAL_LITERAL()) {
      const n = Number(c.getText());
      if (digits && !Number.isSafeInteger(n)) {
        throw this.text.error(`integer literal ${c.getText()} is beyond ±2^53, the exact range of BIGINT values`, c, 'write it as a DOUBLE (1.0E19) or a string');
      }
      // A DECIMAL literal keeps its text: its value is exact (core/decimal.ts), a double would not be.
      const type = approximateOrExact(c.getText());
      return digits ? this.literal(n, c) : { kind: 'lit', value: type.name === 'DECIMAL' ? c.getText() : n, type, loc: this.text.loc(c) };
    }
    const bool = c.booleanLiteral();
    if (bool) return this.literal(bool.getText().toUpperCase() === 'TRUE', c);
    if (c.KW_NULL() && !c.KW_NOT()) return this.literal(null, c);
    if (c.timePointLiteral()) throw this.text.unsupported(`the literal ${this.text.source(c)}`, c, "write DATE '2024-01-31' or TIMESTAMP '2024-01-31 12:00:00'");
    throw this.text.unsupported(`the literal ${this.text.source(c)}`, c);
  }

  private functionCall(f: FunctionCallExpressionContext): LExpr {
    const bare = f.reservedKeywordsNoParamsUsedAsFuncName();
    if (bare) return this.call(bare.getText().toLowerCase(), [], f);
    const typed = f.functionNameAndParams();
    if (typed) {
      const interval = typed.timeIntervalExpression();
      if (interval) return intervalLiteral(this.text, interval);
      return this.typedLiteral(typed.reservedKeywordsFollowParamsUsedAsFuncName()!.getText().toUpperCase(), stringValue(typed.STRING_LITERAL()!.getText()), f);
    }
    if (this.text.clauses.get(f.start!.start)?.overlaps) return this.overlaps(this.arguments(f), f);
    const name = functionName(this.text, f);
    const upper = name.toUpperCase();
    if (GROUP_WINDOWS.test(upper)) {
      throw this.text.error(`${upper}(...) is a group window: it belongs in GROUP BY`, f,
        `GROUP BY ${upper}(ts, INTERVAL '10' MINUTE), ...; or as a table function: FROM TABLE(${upper}(TABLE t, DESCRIPTOR(ts), ...))`);
    }
    if (upper === 'COLLECT') {
      throw this.text.unsupported('COLLECT (its result is a MULTISET)', f, 'sluice has no MULTISET type: count each value with SELECT x, COUNT(*) FROM t GROUP BY x, or gather them with JSON_ARRAYAGG(x) or LISTAGG(CAST(x AS STRING))');
    }
    const args = this.arguments(f);
    // EXTRACT(DOW FROM ts), EXTRACT(DOY ...): units the grammar does not know read as column names.
    if (upper === 'EXTRACT' && args[0]?.kind === 'ref' && /^(DOW|DOY)$/i.test(args[0].name)) args[0] = { kind: 'unit', unit: args[0].name.toUpperCase(), loc: args[0].loc };
    const aux = WINDOW_AUXILIARY.exec(upper);
    if (aux) return this.scope.windowAuxiliary(upper, aux[2].toLowerCase() as WindowProperty, args, f);
    const quantifier = f.setQuantifier()?.getText().toUpperCase();
    if (quantifier === 'DISTINCT' && !isAggregateName(name)) {
      throw this.text.error(`DISTINCT applies to aggregate functions, not ${name}`, f.setQuantifier());
    }
    // COUNT(*) counts rows: no argument.
    const countStar = upper === 'COUNT' && args.length === 1 && args[0].kind === 'star';
    const clauses = this.text.clauses.get(f.start!.start);
    // The JSON constructors take their ON NULL behaviour as a first argument (builtins-json.ts, lower-aggregate.ts).
    const onNull = JSON_ON_NULL_DEFAULT[upper];
    if (onNull) args.unshift(this.literal(clauses?.onNull ?? onNull, f));
    else if (clauses?.onNull) throw this.text.error(`${clauses.onNull} ON NULL applies to JSON_OBJECT, JSON_ARRAY, JSON_OBJECTAGG and JSON_ARRAYAGG, not ${name}`, f);
    // JSON_VALUE, JSON_QUERY, JSON_EXISTS take their clauses as literal arguments after the path (builtins-json.ts).
    if (upper in JSON_CLAUSES) args.push(...this.jsonClauses(upper, clauses ?? {}, f));
    const call = this.call(name, countStar ? [] : args, f, quantifier === 'DISTINCT');
    if (clauses?.filter && call.kind === 'call') {
      if (!isAggregateName(name)) throw this.text.error(`FILTER (WHERE ...) applies to aggregate functions, not ${name}`, f);
      if (onNull) throw this.text.unsupported(`FILTER (WHERE ...) after ${upper}`, f, `Flink's parser does not take it there either: filter the rows in a subquery, or leave them out with ${upper}(CASE WHEN condition THEN x END)`);
      const { expr, rest } = parseExpressionAt(clauses.filter);
      if (rest) throw this.text.error(`SQL syntax error at '${rest.text}'`, rest, 'FILTER (WHERE condition)');
      call.filter = this.expression(expr);
    }
    if (clauses?.nulls && call.kind === 'call') {
      if (upper !== 'ARRAY_AGG') throw this.text.error(`${clauses.nulls} NULLS applies to ARRAY_AGG, not ${name}`, f);
      // IGNORE NULLS leaves out the rows whose value is NULL: a FILTER of its own, beside the one written.
      if (clauses.nulls === 'IGNORE' && args[0]) {
        const notNull = this.call('isNotNull', [args[0]], f);
        call.filter = call.filter ? this.call('and', [call.filter, notNull], f) : notNull;
      }
    }
    return call;
  }

  /**
   * `(a, b) OVERLAPS (c, d)` as Calcite converts it (so Flink computes it): each period's end points in order (b
   * may be an interval: a + b) by CASE WHEN a <= b (a NULL end point so ends up the end), then e0 >= s1 AND e1 >= s0
   * over the closed periods.
   */
  private overlaps(args: LExpr[], at: SqlNode): LExpr {
    if (args.length !== 4) throw this.text.error('OVERLAPS compares two periods of two values each', at, "(ts, INTERVAL '1' HOUR) OVERLAPS (ts2, ts3)");
    const period = (start: LExpr, end: LExpr): [LExpr, LExpr] => {
      const e = end.kind === 'interval' ? this.call('plus', [start, end], at) : end;
      const ordered = this.call('le', [start, e], at);
      return [this.call('case', [ordered, start, e], at), this.call('case', [ordered, e, start], at)];
    };
    const [s0, e0] = period(args[0], args[1]);
    const [s1, e1] = period(args[2], args[3]);
    return this.call('and', [this.call('ge', [e0, s1], at), this.call('ge', [e1, s0], at)], at);
  }

  /** The clause arguments of a SQL/JSON query function, Flink's defaults where a clause is not written. */
  private jsonClauses(fn: string, c: CallClauses, at: SqlNode): LExpr[] {
    const takes = JSON_CLAUSES[fn];
    const syntax = JSON_SYNTAX[fn];
    const lit = (v: string) => this.literal(v, at);
    if (c.wrapper && fn !== 'JSON_QUERY') throw this.text.error(`a WRAPPER clause applies to JSON_QUERY, not ${fn}`, at, syntax);
    if (c.returning && fn === 'JSON_EXISTS') throw this.text.error('RETURNING applies to JSON_VALUE and JSON_QUERY, not JSON_EXISTS', at, syntax);
    if (c.onEmpty && fn === 'JSON_EXISTS') throw this.text.error('JSON_EXISTS has no ON EMPTY clause', at, syntax);
    const mode = (b: JsonBehaviour | undefined, what: 'EMPTY' | 'ERROR') => {
      if (b && !takes.includes(b.mode)) throw this.text.error(`${b.mode} ON ${what} is not a behaviour of ${fn}`, at, syntax);
      return lit(b?.mode ?? (fn === 'JSON_EXISTS' ? 'FALSE' : 'NULL'));
    };
    const value = (b: JsonBehaviour | undefined): LExpr => {
      if (!b?.value) return this.literal(null, at);
      const { expr, rest } = parseExpressionAt(b.value);
      if (rest) throw this.text.error(`SQL syntax error at '${rest.text}'`, rest, syntax);
      return this.expression(expr);
    };
    const returning = c.returning ? this.returningType(fn, c.returning) : 'STRING';
    switch (fn) {
      case 'JSON_EXISTS': return [mode(c.onError, 'ERROR')];
      case 'JSON_VALUE': return [lit(returning), mode(c.onEmpty, 'EMPTY'), value(c.onEmpty), mode(c.onError, 'ERROR'), value(c.onError)];
      default: return [lit(returning), lit(c.wrapper ?? 'WITHOUT'), mode(c.onEmpty, 'EMPTY'), mode(c.onError, 'ERROR')];
    }
  }

  /** RETURNING's type, among those Flink's code generation takes: JSON_VALUE STRING, BOOLEAN, INT, DOUBLE; JSON_QUERY STRING, ARRAY<STRING>. */
  private returningType(fn: string, range: TextRange): string {
    const { type, rest } = parseTypeAt(range);
    if (rest) throw this.text.error(`SQL syntax error at '${rest.text}'`, rest, JSON_SYNTAX[fn]);
    const t = dataTypeOf(this.text, type);
    const name = t.name === 'VARCHAR' || t.name === 'STRING' ? 'STRING'
      : t.name === 'ARRAY' && (t.element!.name === 'STRING' || t.element!.name === 'VARCHAR') ? 'ARRAY' : t.name;
    const allowed = fn === 'JSON_VALUE' ? ['STRING', 'BOOLEAN', 'INT', 'DOUBLE'] : ['STRING', 'ARRAY'];
    if (!allowed.includes(name)) {
      throw this.text.unsupported(`RETURNING ${typeToString(t)} in ${fn}`, type, `Flink's ${fn} returns ${fn === 'JSON_VALUE' ? 'STRING, BOOLEAN, INT or DOUBLE (CAST the result for another type)' : 'STRING or ARRAY<STRING>'}`);
    }
    return name;
  }

  private param(p: FunctionParamContext): LExpr {
    const e = p.expression();
    if (e) return this.expression(e);
    const unit = p.timeIntervalUnit() ?? p.timePointUnit();
    if (unit) return { kind: 'unit', unit: unitName(unit.getText()), loc: this.text.loc(unit) };
    const keyword = p.reservedKeywordsUsedAsFuncParam();
    if (keyword?.getText() === '*') return { kind: 'star', loc: this.text.loc(keyword) };
    if (keyword && /^(CURRENT_TIMESTAMP|LOCALTIMESTAMP|CURRENT_DATE|CURRENT_TIME|LOCALTIME)$/i.test(keyword.getText())) {
      return this.call(keyword.getText().toLowerCase(), [], keyword);
    }
    throw this.text.unsupported(`the function argument ${this.text.source(p)}`, p);
  }

  /** DATE '2024-01-31', TIME '12:00:00', TIMESTAMP '2024-01-31 12:00:00.123': epoch milliseconds (UTC) as the runtime keeps them. */
  private typedLiteral(type: string, value: string, at: SqlNode): LExpr {
    const patterns: Record<string, RegExp> = {
      DATE: /^(\d{4})-(\d{2})-(\d{2})$/,
      TIME: /^()()()(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/,
      TIMESTAMP: /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/,
    };
    const m = patterns[type]?.exec(value.trim());
    if (!m) throw this.text.error(`'${value}' is not a valid ${type} literal`, at, { DATE: "DATE '2024-01-31'", TIME: "TIME '12:00:00'", TIMESTAMP: "TIMESTAMP '2024-01-31 12:00:00'" }[type]);
    const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0'] = m;
    const millis = type === 'TIME'
      ? ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1000 + Number(ms.padEnd(3, '0'))
      : Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
    const dataType = type === 'DATE' ? DataTypes.DATE() : type === 'TIME' ? DataTypes.TIME(0) : DataTypes.TIMESTAMP(3);
    return { kind: 'lit', value: millis, type: dataType.notNull!(), loc: this.text.loc(at) };
  }
}

/** A literal with a fraction is a DECIMAL of its digits (12.30 is DECIMAL(4, 2)), one with an exponent a DOUBLE, as in Flink. */
function approximateOrExact(text: string) {
  if (/[eE]/.test(text)) return DataTypes.DOUBLE().notNull!();
  const [whole, fraction = ''] = text.replace(/^[+-]/, '').split('.');
  // A zero integer part is a digit too: 0.1 is DECIMAL(2, 1), as Flink types it.
  const intDigits = Math.max(1, whole.replace(/^0+/, '').length);
  return DataTypes.DECIMAL(Math.min(38, intDigits + fraction.length), fraction.length).notNull!();
}

/** The call an expression consists of, if it is just a function call (GROUP BY TUMBLE(...)). */
export function asFunctionCall(e: ExpressionContext): FunctionCallExpressionContext | undefined {
  const b = e.booleanExpression();
  if (!(b instanceof PredicatedContext) || b.predicate()) return undefined;
  const v = b.valueExpression();
  if (!(v instanceof ValueExpressionDefaultContext)) return undefined;
  const p = v.primaryExpression();
  return p instanceof FunctionCallContext ? p.functionCallExpression() : undefined;
}

/** A called function's name as written in the original SQL (parse-sql rewrites some names), keeping its case. */
export function functionName(text: SqlText, f: FunctionCallExpressionContext): string {
  const ctx = f.functionNameWithParams() ?? f.reservedKeywordsNoParamsUsedAsFuncName() ?? f.functionNameAndParams();
  const parts = pathOf(ctx);
  if (parts.length > 1) return parts.join('.');
  // parse-sql writes the implicit ROW (a, b) as a call of a one-letter function in the space before it.
  return unquoteName(text.source(ctx).trim()) || 'ROW';
}
