// One SQL text being compiled and where it sits in the job file: turns parser positions (tokens, rule contexts)
// into SourceLocs inside the string literal, and builds the CompileErrors every SQL error is reported as.
import type { ParserRuleContext, TerminalNode, Token } from 'antlr4ng';
import type { SourceLoc } from '../../../runtime/core/plan.js';
import { CompileError } from '../../ir/diagnostics.js';
import { sqlLocator } from '../read-job.js';

/** Anything the parser gives us that has a position. */
export type SqlNode = ParserRuleContext | TerminalNode | Token | null | undefined;

/** A range of parser (code point) indices in a text, to re-parse on its own (parse-sql.ts parseExpressionAt). */
export interface TextRange { input: string; start: number; stop: number }

/** What parse-sql read out of a call's text before the grammar saw it (clauses the grammar lacks). */
export interface CallClauses {
  /** An aggregate's FILTER (WHERE condition): the condition. */
  filter?: TextRange;
  /** JSON_OBJECT, JSON_ARRAY, JSON_OBJECTAGG, JSON_ARRAYAGG: NULL ON NULL or ABSENT ON NULL. */
  onNull?: 'NULL' | 'ABSENT';
  /** At the JSON of `x IS NOT JSON`: the NOT (which the grammar does not take there) was taken out. */
  notJson?: true;
  /** JSON_VALUE, JSON_QUERY: RETURNING <type>, the type as written. */
  returning?: TextRange;
  /** JSON_VALUE, JSON_QUERY, JSON_EXISTS: ... ON EMPTY and ... ON ERROR. */
  onEmpty?: JsonBehaviour;
  onError?: JsonBehaviour;
  /** At the one-letter function parse-sql writes for `(a, b) OVERLAPS (c, d)`. */
  overlaps?: true;
  /** ARRAY_AGG(x RESPECT NULLS | IGNORE NULLS). */
  nulls?: 'RESPECT' | 'IGNORE';
  /** JSON_QUERY: WITHOUT [ARRAY] WRAPPER, WITH CONDITIONAL [ARRAY] WRAPPER, WITH [UNCONDITIONAL] [ARRAY] WRAPPER. */
  wrapper?: 'WITHOUT' | 'CONDITIONAL' | 'UNCONDITIONAL';
}

/** A SQL/JSON function's behaviour ON EMPTY or ON ERROR; `value` the expression of DEFAULT <value>. */
export interface JsonBehaviour {
  mode: 'NULL' | 'ERROR' | 'TRUE' | 'FALSE' | 'UNKNOWN' | 'EMPTY ARRAY' | 'EMPTY OBJECT' | 'DEFAULT';
  value?: TextRange;
}

export class SqlText {
  /** Clauses of calls, by the parser index of the call's first token (its function name). */
  readonly clauses = new Map<number, CallClauses>();
  private readonly locate: ((offset: number) => SourceLoc) | undefined;
  /** ANTLR counts code points; JS strings count UTF-16 units. Only built when the text has astral characters. */
  private readonly unitOffsets: number[] | undefined;

  constructor(readonly sql: string, readonly callLoc: SourceLoc | undefined) {
    this.locate = callLoc ? sqlLocator(callLoc, sql) : undefined;
    this.unitOffsets = /[\uD800-\uDBFF]/.test(sql) ? codePointOffsets(sql) : undefined;
  }

  /** UTF-16 offset of a parser character index. */
  offset(charIndex: number): number {
    return this.unitOffsets ? (this.unitOffsets[charIndex] ?? this.sql.length) : charIndex;
  }

  /** Where a character of the SQL is in the job file; the call's location when the SQL is not a literal there. */
  at(offset: number): SourceLoc | undefined {
    return this.locate?.(offset) ?? this.callLoc;
  }

  /** Where a token or the first token of a rule starts. */
  loc(node: SqlNode): SourceLoc | undefined {
    const token = tokenOf(node);
    return token ? this.at(this.offset(token.start)) : this.callLoc;
  }

  /** The SQL as written for a node, for messages and for comparing expressions. */
  source(node: SqlNode): string {
    if (!node) return '';
    if ('start' in node && 'stop' in node && typeof node.start === 'object') {
      const ctx = node as ParserRuleContext;
      if (!ctx.start || !ctx.stop) return '';
      return this.sql.slice(this.offset(ctx.start.start), this.offset(ctx.stop.stop + 1));
    }
    const token = tokenOf(node);
    return token ? this.sql.slice(this.offset(token.start), this.offset(token.stop + 1)) : '';
  }

  error(message: string, node: SqlNode, hint?: string): CompileError {
    return new CompileError(message, this.loc(node), hint);
  }

  /** The one message shape for constructs the SQL frontend does not handle: `<construct> is not supported`. */
  unsupported(construct: string, node: SqlNode, hint?: string): CompileError {
    return this.error(`${construct} is not supported`, node, hint);
  }
}

function tokenOf(node: SqlNode): Token | undefined {
  if (!node) return undefined;
  if ('symbol' in node) return node.symbol;
  if ('start' in node && typeof node.start === 'object') return node.start ?? undefined;
  return node as Token;
}

function codePointOffsets(s: string): number[] {
  const out: number[] = [];
  let unit = 0;
  for (const ch of s) {
    out.push(unit);
    unit += ch.length;
  }
  out.push(unit);
  return out;
}
