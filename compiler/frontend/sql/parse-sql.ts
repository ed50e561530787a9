// Parsing with dt-sql-parser's Flink SQL grammar: syntax errors become CompileErrors at the offending token, a few
// standard forms the grammar lacks are rewritten in place first, and select items are re-parsed where the grammar
// is ambiguous. Imports the Flink parser alone (not the package index, which loads every dialect).
import type { ParseError, SyntaxError } from 'dt-sql-parser';
import { FlinkSQL } from 'dt-sql-parser/dist/parser/flink/index.js';
import type { ColumnTypeContext, ExpressionContext, ProgramContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import type { Token } from 'antlr4ng';
import { nearest } from '../../../runtime/core/options.js';
import { CompileError } from '../../ir/diagnostics.js';
import type { CallClauses, JsonBehaviour, SqlText, TextRange } from './sql-text.js';

/** FlinkSQL keeps the tree of its last validate(); reusing it saves a second parse of every statement. */
class FlinkParser extends FlinkSQL {
  validated(input: string): { errors: ParseError[]; tree: ProgramContext | null } {
    const errors = this.validate(input);
    return { errors, tree: this._parseTree };
  }
}

const flink = new FlinkParser();

export interface ParsedSql {
  tree: ProgramContext;
  /** The text the tree was parsed from (the SQL after rewriting), for re-parsing parts of it. */
  input: string;
}

/**
 * Parses all statements of `text`. The tree's positions are those of `text.sql`: rewriting keeps every offset.
 * Throws the first syntax error as a CompileError at its token, with the parser's message as the hint.
 */
export function parseProgram(text: SqlText): ParsedSql {
  const input = rewriteForGrammar(text);
  const { errors, tree } = flink.validated(input);
  if (!errors.length && tree) return { tree, input };
  // validate() re-checks statements one by one when that finds more errors, with columns relative to each
  // statement; parsing again with a listener gives the first error of the whole text with its token.
  let first: { error: ParseError; original: SyntaxError } | undefined;
  flink.parse(input, (error, original) => { first ??= { error, original }; });
  const error = first?.error ?? errors[0];
  const token = first?.original.offendingSymbol;
  const offset = token ? text.offset(token.start) : offsetOfLineColumn(text.sql, error.startLine, error.startColumn - 1);
  const near = token && token.type !== -1 ? `'${token.text}'` : offset >= text.sql.length ? 'end of input' : `'${text.sql.slice(offset, offset + 10)}'`;
  const meant = token?.text && token.text.length >= 4 ? nearest(token.text.toUpperCase(), MISSPELLABLE) : null;
  throw new CompileError(`SQL syntax error at ${near}`, text.at(offset), error.message + (meant && meant !== token!.text!.toUpperCase() ? `; did you mean ${meant}?` : ''));
}

/** Words a syntax error is often a misspelling of (a type in a column list, a clause keyword). */
const MISSPELLABLE = [
  'BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'INTEGER', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL', 'STRING', 'VARCHAR', 'CHAR',
  'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'BYTES', 'ARRAY', 'MAP', 'ROW', 'SELECT', 'FROM', 'WHERE', 'GROUP', 'HAVING',
  'CREATE', 'TABLE', 'VIEW', 'WATERMARK', 'INTERVAL', 'PRIMARY', 'ENFORCED', 'INSERT', 'INTO', 'UNION', 'DISTINCT',
  'BETWEEN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'CAST', 'LIKE', 'NULL', 'SECOND', 'MINUTE', 'HOUR', 'DESCRIPTOR',
];

/**
 * Re-parses a select item as `expression [[AS] alias]`. The grammar lets `a + b` read as column `a` aliased
 * `+b`, and `1` as a column named 1; parsing the item's tokens as an expression reads them as Flink does.
 */
export function parseSelectItem(input: string, start: number, stop: number): { expr: ExpressionContext; alias: Token | null; rest: Token | null } {
  const { parser, failure } = maskedParser(input, start, stop);
  const expr = parser.expression();
  const at = (k: number) => parser.tokenStream.LT(k);
  let alias: Token | null = null;
  let k = 1;
  if (at(k)?.text?.toUpperCase() === 'AS') k++;
  if (at(k) && at(k)!.type !== -1) alias = at(k++);
  const rest = failure() ?? (at(k) && at(k)!.type !== -1 ? at(k) : null);
  return { expr, alias, rest };
}

/** A parser over `input` with everything outside [start, stop] blanked, and the first syntax error it met. */
function maskedParser(input: string, start: number, stop: number) {
  // Blank out everything else (keeping line breaks) so token positions stay those of the whole text; start and
  // stop are parser (code point) indices, so blank per code point.
  const masked = [...input].map((ch, i) => (ch === '\n' || (i >= start && i <= stop) ? ch : ' ')).join('');
  let failure: Token | null = null;
  const parser = flink.createParser(masked);
  // A plain listener: dt-sql-parser's own computes suggestions against the text of its last validate().
  parser.removeErrorListeners();
  parser.addErrorListener({
    syntaxError: (_r, symbol) => { failure ??= (symbol as Token | null); },
    reportAmbiguity: () => {}, reportAttemptingFullContext: () => {}, reportContextSensitivity: () => {},
  });
  return { parser, failure: () => failure };
}

/** A type written in a clause parse-sql took out of the text (JSON_VALUE's RETURNING). */
export function parseTypeAt(range: TextRange): { type: ColumnTypeContext; rest: Token | null } {
  const { parser, failure } = maskedParser(range.input, range.start, range.stop);
  const type = parser.columnType();
  const next = parser.tokenStream.LT(1);
  return { type, rest: failure() ?? (next && next.type !== -1 ? next : null) };
}

/** An expression written in a clause parse-sql took out of the text (an aggregate's FILTER condition). */
export function parseExpressionAt(range: TextRange): { expr: ExpressionContext; rest: Token | null } {
  const { parser, failure } = maskedParser(range.input, range.start, range.stop);
  const expr = parser.expression();
  const next = parser.tokenStream.LT(1);
  return { expr, rest: failure() ?? (next && next.type !== -1 ? next : null) };
}

/** Functions whose standard SQL spelling uses keywords between arguments, which the grammar does not know. */
const KEYWORD_ARGUMENTS: Record<string, string[]> = {
  FLOOR: ['TO'], CEIL: ['TO'], CEILING: ['TO'], SUBSTRING: ['FROM', 'FOR'], SUBSTR: ['FROM', 'FOR'],
  // The grammar has EXTRACT(field FROM x) with an identifier field, which HOUR, DAY, ... are not.
  EXTRACT: ['FROM'],
  OVERLAY: ['PLACING', 'FROM', 'FOR'],
};
/** TRIM(BOTH|LEADING|TRAILING [chars] FROM s): the mode becomes a number argument the trim entry reads. */
const TRIM_MODES: Record<string, string> = { BOTH: '1', LEADING: '2', TRAILING: '3' };
/** The JSON constructors: their NULL ON NULL / ABSENT ON NULL clause, and KEY k VALUE v pairs for the object ones. */
const JSON_ON_NULL = new Set(['JSON_OBJECT', 'JSON_ARRAY', 'JSON_OBJECTAGG', 'JSON_ARRAYAGG']);
const JSON_KEY_VALUE = new Set(['JSON_OBJECT', 'JSON_OBJECTAGG']);
/** The SQL/JSON query functions, whose RETURNING, ON EMPTY, ON ERROR and WRAPPER clauses jsonClause reads. */
const JSON_QUERY_FUNCTIONS = new Set(['JSON_VALUE', 'JSON_QUERY', 'JSON_EXISTS']);
/** Flink functions whose names the grammar lexes as keywords it does not accept as function names. */
const KEYWORD_FUNCTIONS = new Set(['CHAR_LENGTH', 'CHARACTER_LENGTH', 'SQRT', 'TRANSLATE', 'ARRAY_AGG']);

/**
 * Rewrites what the grammar lacks, keeping every position in the text where it was: a keyword between arguments
 * becomes a comma padded to its length (`FLOOR(ts TO HOUR)` → `FLOOR(ts , HOUR)`, `EXTRACT(HOUR FROM ts)` →
 * `EXTRACT(HOUR ,    ts)`, `SUBSTRING(s FROM 2 FOR 3)` → `SUBSTRING(s ,    2 ,   3)`), and `CHAR_LENGTH(` becomes
 * `_HAR_LENGTH(`, an identifier (the function name is read back from the original text), and OFFSET / FETCH
 * clauses become `LIMIT      0` over their characters (sort.ts reads them back).
 */
function rewriteForGrammar(text: SqlText): string {
  const chars = [...text.sql];
  let changed = dollarsInNames(chars);
  const lexer = flink.createLexer(changed ? chars.join('') : text.sql);
  lexer.removeErrorListeners();
  const tokens = lexer.getAllTokens().filter((t) => t.channel === 0);
  const frames: { fn: string; at: number; keywords: string[] }[] = [];
  /** Per `[`: whether it opens a constructor (ARRAY[...], MAP[...]) rather than a subscript. */
  const brackets: boolean[] = [];
  /** The clause being read at each parenthesis depth (SELECT, FROM, ...), for the implicit ROW (a, b). */
  const clauses: string[] = [];
  /** Characters inserted (a field access's closing `]`, OVERLAPS's function name), each shifting the text up to the next space. */
  const shifts: { at: number; ch: string }[] = [];
  /** The call the last ')' closed (its function name's index), for a FILTER clause right after it. */
  let closed = -1;
  /** Ranges blanked once every rewrite is done: a FILTER clause's condition is re-parsed from the text before. */
  const blanks: [number, number][] = [];
  /** Clause texts re-parsed on their own (FILTER conditions, DEFAULT values, RETURNING types): they read the text before blanking. */
  const ranges: TextRange[] = [];
  const clausesAt = (at: number): CallClauses => {
    let c = text.clauses.get(at);
    if (!c) text.clauses.set(at, (c = {}));
    return c;
  };
  const wordAt = (k: number) => (tokens[k]?.text ?? '').toUpperCase();
  const overlaps = tokens.some((t) => t.text?.toUpperCase() === 'OVERLAPS');
  let skip = 0;
  tokens.forEach((t, i) => {
    if (skip > 0) { skip--; return; }
    const word = (t.text ?? '').toUpperCase();
    if (CLAUSES.has(word)) clauses[frames.length] = word;
    // OFFSET / FETCH, which the grammar lacks, become a LIMIT clause over the same characters; the frontend
    // reads the clause back from the original text (sort.ts).
    const tail = rowLimitTail(tokens, i);
    if (tail >= 0) {
      const end = tokens[tail].stop;
      for (let c = t.start; c <= end; c++) if (chars[c] !== '\n') chars[c] = c < t.start + 5 ? 'LIMIT'[c - t.start] : c === end ? '0' : ' ';
      changed = true;
      skip = tail - i;
      return;
    }
    if (word === '(') {
      const fn = (tokens[i - 1]?.text ?? '').toUpperCase();
      const close = overlaps ? matchingParen(tokens, i) : -1;
      if (close >= 0 && wordAt(close + 1) === 'OVERLAPS' && tokens[close + 2]?.text === '(') {
        // (a, b) OVERLAPS (c, d) → O(a, b ,        c, d): a call of a one-letter function, which the frontend reads as
        // OVERLAPS (CallClauses.overlaps), in the space before it, or (after a word: WHERE (a, b)) written before the
        // parenthesis, the characters up to the next space moving one place right.
        if (/\s/.test(chars[t.start - 1] ?? '') && !/[\p{L}\p{N}_$`"']/u.test(chars[t.start - 2] ?? '')) {
          chars[t.start - 1] = 'O';
          clausesAt(t.start - 1).overlaps = true;
        } else {
          let end = t.start + 1;
          while (end < chars.length && !/\s/.test(chars[end])) end++;
          // A call inside the moved characters would read its name from the wrong place (functionName).
          if (end >= chars.length || chars.slice(t.start + 1, end).includes('(')) {
            throw text.unsupported('a call as the first value of OVERLAPS right after a word', t, 'put a space between the value and the parenthesis before it: WHERE ( (CAST(a AS TIMESTAMP(3)), b) OVERLAPS (c, d))');
          }
          shifts.push({ at: t.start, ch: 'O' });
          clausesAt(t.start).overlaps = true;
        }
        chars[tokens[close].start] = ',';
        blanks.push([tokens[close + 1].start, tokens[close + 2].stop]);
        changed = true;
      } else if (clauses[frames.length] === 'SELECT' && ['SELECT', ','].includes(wordAt(i - 1)) && wordAt(i + 1) === 'SELECT' && /\s/.test(chars[t.start - 1] ?? '')) {
        // A select item that is a scalar subquery, (SELECT ...), which the grammar does not take: +(SELECT ...).
        chars[t.start - 1] = '+';
        changed = true;
      } else if (implicitRow(tokens, i, clauses[frames.length], chars)) {
        // (a, b) in a select list is ROW(a, b): a one-letter function in the space before it (read back as ROW).
        chars[t.start - 1] = 'R';
        changed = true;
      }
      frames.push({ fn, at: tokens[i - 1]?.start ?? -1, keywords: KEYWORD_ARGUMENTS[fn] ?? [] });
      clauses[frames.length] = '';
      return;
    }
    if (word === ')') {
      closed = frames.pop()?.at ?? -1;
      return;
    }
    // x IS NOT JSON [kind]: the grammar has IS JSON only; the NOT is blanked and kept at the JSON token.
    if (word === 'NOT' && wordAt(i - 1) === 'IS' && wordAt(i + 1) === 'JSON') {
      clausesAt(tokens[i + 1].start).notJson = true;
      blanks.push([t.start, t.stop]);
      changed = true;
      return;
    }
    // agg(x) FILTER (WHERE condition): the clause is taken out, its condition kept for the call (CallClauses.filter).
    if (word === 'FILTER' && tokens[i - 1]?.text === ')' && closed >= 0 && tokens[i + 1]?.text === '(' && wordAt(i + 2) === 'WHERE') {
      const close = matchingParen(tokens, i + 1);
      if (close > i + 3) {
        const filter = { input: '', start: tokens[i + 3].start, stop: tokens[close - 1].stop };
        clausesAt(closed).filter = filter;
        ranges.push(filter);
        blanks.push([t.start, tokens[close].stop]);
        changed = true;
      }
      return;
    }
    if (word === '[') {
      const before = tokens[i - 1];
      const constructor = !!before && before.stop + 1 === t.start && /^(ARRAY|MAP)$/i.test(before.text ?? '');
      brackets.push(constructor);
      if (constructor) {
        // ARRAY[1, 2] → _RRAY(1, 2): a function call the grammar takes, its name read back from the original text.
        chars[before.start] = '_';
        chars[t.start] = '(';
        changed = true;
      }
      return;
    }
    if (word === ']') {
      if (brackets.pop()) { chars[t.start] = ')'; changed = true; }
      return;
    }
    // ROW(a, b).f → ROW(a, b)[f]: the grammar has no field access on an expression, but a subscript; the frontend
    // tells them apart by the '.' of the original text.
    if (word === '.' && /^[)\]]$/.test(tokens[i - 1]?.text ?? '') && tokens[i + 1] && /^[\p{L}_`]/u.test(tokens[i + 1].text ?? '')) {
      chars[t.start] = '[';
      shifts.push({ at: tokens[i + 1].stop + 1, ch: ']' });
      changed = true;
      return;
    }
    // The grammar only takes `f(...) OVER (...) AS alias` as a select item, and reports a syntax error for other forms.
    if (word === 'OVER' && !overWithAlias(tokens, i)) {
      throw text.unsupported('OVER (...) without AS alias, or inside an expression', t, 'write it as a select item of its own with a name: SUM(v) OVER (...) AS s, ROW_NUMBER() OVER (...) AS rn (compute with it in an enclosing query)');
    }
    // TRY_CAST(x AS t) parses as CAST; the frontend reads the TRY_ back from the original text.
    if (word === 'TRY_CAST' && tokens[i + 1]?.text === '(') {
      for (let c = t.start; c < t.start + 4; c++) chars[c] = ' ';
      changed = true;
      return;
    }
    if (KEYWORD_FUNCTIONS.has(word) && tokens[i + 1]?.text === '(') {
      chars[t.start] = '_';
      changed = true;
      return;
    }
    const frame = frames[frames.length - 1];
    if (frame && JSON_QUERY_FUNCTIONS.has(frame.fn)) {
      // JSON_VALUE(js, '$.a' RETURNING INT DEFAULT 0 ON EMPTY): each clause is read into the call's clauses and blanked.
      const end = jsonClause(tokens, i, clausesAt(frame.at), ranges);
      if (end >= 0) {
        blanks.push([t.start, tokens[end].stop]);
        changed = true;
        skip = end - i;
        return;
      }
    }
    if (frame?.fn === 'ARRAY_AGG' && (word === 'RESPECT' || word === 'IGNORE') && wordAt(i + 1) === 'NULLS') {
      clausesAt(frame.at).nulls = word;
      blanks.push([t.start, tokens[i + 1].stop]);
      changed = true;
      skip = 1;
      return;
    }
    if (frame && JSON_ON_NULL.has(frame.fn) && (word === 'NULL' || word === 'ABSENT') && wordAt(i + 1) === 'ON' && wordAt(i + 2) === 'NULL') {
      clausesAt(frame.at).onNull = word as 'NULL' | 'ABSENT';
      blanks.push([t.start, tokens[i + 2].stop]);
      changed = true;
      skip = 2;
      return;
    }
    if (frame && JSON_KEY_VALUE.has(frame.fn) && (word === 'KEY' || word === 'VALUE')) {
      // JSON_OBJECT(KEY 'k' VALUE v, ...) → JSON_OBJECT(    'k' ,     v, ...): KEY is optional, VALUE separates.
      if (word === 'KEY' && (tokens[i - 1]?.text === '(' || tokens[i - 1]?.text === ',') && !['VALUE', ',', ')'].includes(wordAt(i + 1))) blanks.push([t.start, t.stop]);
      else if (word === 'VALUE') for (let c = t.start; c <= t.stop; c++) chars[c] = c === t.start ? ',' : ' ';
      changed = true;
      return;
    }
    if (frame?.keywords.includes(word)) {
      for (let c = t.start; c <= t.stop; c++) chars[c] = c === t.start ? ',' : ' ';
      changed = true;
    } else if (frame?.fn === 'TRIM' && (word in TRIM_MODES || word === 'FROM')) {
      // TRIM(BOTH 'x' FROM s) → TRIM(1,   'x' ,    s); TRIM(LEADING FROM s) → TRIM(2       ,    s); TRIM('x' FROM s) → TRIM('x' ,    s).
      const modeRightBefore = word === 'FROM' && (tokens[i - 1]?.text ?? '').toUpperCase() in TRIM_MODES;
      const fill = word in TRIM_MODES ? (tokens[i + 1]?.text?.toUpperCase() === 'FROM' ? TRIM_MODES[word] : `${TRIM_MODES[word]},`) : modeRightBefore ? '' : ',';
      for (let c = t.start; c <= t.stop; c++) chars[c] = fill[c - t.start] ?? ' ';
      if (modeRightBefore) chars[t.start] = ',';
      changed = true;
    }
  });
  // Each inserted character: the characters up to the next space move one place right, into that space.
  for (const { at, ch } of shifts.reverse()) {
    let end = at;
    while (end < chars.length && !/\s/.test(chars[end])) end++;
    if (end === chars.length) chars.push(' ');
    chars.splice(end, 1);
    chars.splice(at, 0, ch);
  }
  if (!changed) return text.sql;
  const beforeBlanking = chars.join('');
  for (const r of ranges) r.input = beforeBlanking;
  for (const [from, to] of blanks) for (let c = from; c <= to; c++) if (chars[c] !== '\n') chars[c] = ' ';
  return chars.join('');
}

/** Words that start a clause of JSON_VALUE / JSON_QUERY / JSON_EXISTS (and so end a RETURNING type). */
const JSON_CLAUSE_STARTS = new Set(['NULL', 'ERROR', 'DEFAULT', 'EMPTY', 'WITH', 'WITHOUT', 'TRUE', 'FALSE', 'UNKNOWN']);

/**
 * The clause of a SQL/JSON query function that starts at tokens[i], read into `clauses`: `RETURNING <type>`,
 * `{NULL | ERROR | TRUE | FALSE | UNKNOWN | EMPTY ARRAY | EMPTY OBJECT | DEFAULT <expr>} ON {EMPTY | ERROR}`,
 * `WITH [CONDITIONAL | UNCONDITIONAL] [ARRAY] WRAPPER`, `WITHOUT [ARRAY] WRAPPER`. Returns the index of its last
 * token, or -1 when no clause starts there. The frontend checks which clauses the function takes (expression.ts).
 */
function jsonClause(tokens: Token[], i: number, clauses: CallClauses, ranges: TextRange[]): number {
  const w = (k: number) => (tokens[k]?.text ?? '').toUpperCase();
  const on = (k: number) => (w(k) === 'ON' && (w(k + 1) === 'EMPTY' || w(k + 1) === 'ERROR') ? w(k + 1) : null);
  const behave = (k: number, b: JsonBehaviour) => {
    if (on(k) === 'EMPTY') clauses.onEmpty = b;
    else clauses.onError = b;
    return k + 1;
  };
  const word = w(i);
  if (word === 'RETURNING') {
    let k = i + 1;
    for (let depth = 0; k < tokens.length; k++) {
      const x = tokens[k].text;
      if (x === '(' || x === '<') depth++;
      else if (x === ')' || x === '>') { if (depth-- === 0) break; }
      else if (depth === 0 && (JSON_CLAUSE_STARTS.has(w(k)) || x === ',')) break;
    }
    if (k === i + 1) return -1;
    clauses.returning = { input: '', start: tokens[i + 1].start, stop: tokens[k - 1].stop };
    ranges.push(clauses.returning);
    return k - 1;
  }
  if (['NULL', 'ERROR', 'TRUE', 'FALSE', 'UNKNOWN'].includes(word) && on(i + 1)) return behave(i + 1, { mode: word as JsonBehaviour['mode'] });
  if (word === 'EMPTY' && (w(i + 1) === 'ARRAY' || w(i + 1) === 'OBJECT') && on(i + 2)) return behave(i + 2, { mode: `EMPTY ${w(i + 1)}` as JsonBehaviour['mode'] });
  if (word === 'DEFAULT') {
    // The value runs up to ON EMPTY / ON ERROR outside parentheses.
    for (let k = i + 1, depth = 0; k < tokens.length; k++) {
      if (tokens[k].text === '(') depth++;
      else if (tokens[k].text === ')') { if (depth-- === 0) return -1; }
      else if (depth === 0 && on(k) && k > i + 1) {
        const value = { input: '', start: tokens[i + 1].start, stop: tokens[k - 1].stop };
        ranges.push(value);
        return behave(k, { mode: 'DEFAULT', value });
      }
    }
    return -1;
  }
  if (word === 'WITH' || word === 'WITHOUT') {
    let k = i + 1;
    const kind = word === 'WITHOUT' ? 'WITHOUT' : w(k) === 'CONDITIONAL' ? 'CONDITIONAL' : 'UNCONDITIONAL';
    if (w(k) === 'CONDITIONAL' || w(k) === 'UNCONDITIONAL') {
      if (word === 'WITHOUT') return -1;
      k++;
    }
    if (w(k) === 'ARRAY') k++;
    if (w(k) !== 'WRAPPER') return -1;
    clauses.wrapper = kind;
    return k;
  }
  return -1;
}

/** The index of the ')' matching the '(' at tokens[open]. */
function matchingParen(tokens: { text?: string | null }[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j].text === '(') depth++;
    else if (tokens[j].text === ')' && --depth === 0) return j;
  }
  return -1;
}

/** Keywords that start a clause of a query (the implicit ROW (a, b) is only read in a select list). */
const CLAUSES = new Set(['SELECT', 'FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'UNION', 'VALUES', 'WINDOW', 'ON', 'JOIN']);

/** Whether the `(` at tokens[i] opens `(a, b, ...)` as a select item: after SELECT or a comma, with a space before it. */
function implicitRow(tokens: Token[], i: number, clause: string | undefined, chars: string[]): boolean {
  const before = (tokens[i - 1]?.text ?? '').toUpperCase();
  if (clause !== 'SELECT' || (before !== 'SELECT' && before !== ',') || !/\s/.test(chars[tokens[i].start - 1] ?? '')) return false;
  if ((tokens[i + 1]?.text ?? '').toUpperCase() === 'SELECT') return false;
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    const w = tokens[j].text;
    if (w === '(' || w === '[') depth++;
    else if (w === ')' || w === ']') { if (--depth === 0) return false; }
    else if (w === ',' && depth === 1) return true;
  }
  return false;
}

/** `$` inside names (Flink's EXPR$0), which the grammar's lexer rejects, becomes `_`; names are read from the original text. */
function dollarsInNames(chars: string[]): boolean {
  let quote: string | null = null;
  let changed = false;
  chars.forEach((ch, i) => {
    if (quote) { if (ch === quote) quote = null; return; }
    if (ch === "'" || ch === '`' || ch === '"') quote = ch;
    else if (ch === '$' && /[\p{L}\p{N}_]/u.test(chars[i - 1] ?? '')) { chars[i] = '_'; changed = true; }
  });
  return changed;
}

/**
 * The index of the last token of a row-limiting clause that starts at tokens[i] and is one the grammar lacks:
 * `LIMIT n OFFSET m`, `OFFSET m [ROW|ROWS]`, `FETCH {FIRST|NEXT} n {ROW|ROWS} ONLY`, or OFFSET then FETCH
 * (Calcite's forms); -1 otherwise (a plain `LIMIT n`, a column named offset, a window's `OFFSET =>`).
 */
function rowLimitTail(tokens: { text?: string | null }[], i: number): number {
  const w = (k: number) => (tokens[k]?.text ?? '').toUpperCase();
  const int = (k: number) => /^\d+$/.test(w(k));
  const rows = (k: number) => w(k) === 'ROW' || w(k) === 'ROWS';
  let k = i;
  if (w(k) === 'LIMIT' && (int(k + 1) || w(k + 1) === 'ALL') && w(k + 2) === 'OFFSET' && int(k + 3)) return rows(k + 4) ? k + 4 : k + 3;
  if (w(k) === 'OFFSET' && int(k + 1)) k = rows(k + 2) ? k + 3 : k + 2;
  if (w(k) === 'FETCH' && (w(k + 1) === 'FIRST' || w(k + 1) === 'NEXT')) {
    // The count is required, as Flink's parser requires it (FETCH FIRST ROW ONLY is its syntax error too).
    if (int(k + 2) && rows(k + 3) && w(k + 4) === 'ONLY') k += 5;
  }
  return k > i ? k - 1 : -1;
}

/** Whether the OVER at tokens[i] is followed by a parenthesized window, or a window's name, and AS. */
function overWithAlias(tokens: { text?: string | null }[], i: number): boolean {
  if (tokens[i + 1]?.text !== '(') return tokens[i + 2]?.text?.toUpperCase() === 'AS';
  let depth = 0;
  for (let j = i + 1; j < tokens.length; j++) {
    if (tokens[j].text === '(') depth++;
    else if (tokens[j].text === ')' && --depth === 0) return tokens[j + 1]?.text?.toUpperCase() === 'AS';
  }
  return false;
}

/** Offset of a 1-based line and 0-based code point column. */
function offsetOfLineColumn(sql: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = sql.indexOf('\n', offset);
    if (nl < 0) return sql.length;
    offset = nl + 1;
  }
  for (let c = 0; c < column && offset < sql.length; c++) offset += sql.codePointAt(offset)! > 0xffff ? 2 : 1;
  return offset;
}
