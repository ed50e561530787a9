// JSON built-ins of the function table: JSON_EXISTS, JSON_VALUE and JSON_QUERY with SQL/JSON paths and their
// clauses (RETURNING, ON EMPTY, ON ERROR, WRAPPER; computed in sql-json.ts), JSON_STRING,
// JSON_OBJECT and JSON_ARRAY (with their ON NULL clause, which the SQL frontend passes as the first argument),
// JSON_QUOTE and JSON_UNQUOTE, as Flink computes them (test/conformance, families 'json' and 'string').
import { BOOL, type BuiltinDef, type TypeCheck } from './builtin-def.js';
import { DataTypes, isNumeric, isString, type DataType } from './data-types.js';
import { javaDecimalString } from './decimal.js';
import { javaDouble } from './java-strings.js';
import { jsonExists, jsonQuery, jsonValue, parsePath } from './sql-json.js';
import { formatTimestamp } from './values.js';

/** A path argument written as a literal must parse (a column's path is checked per row: no match is an error). */
function pathArg(t: TypeCheck, i: number): void {
  t.need(i, isString, 'a JSON path string');
  const p = t.literal(i);
  if (typeof p === 'string' && parsePath(p) === null) t.fail(`${t.written}: '${p}' is not a JSON path this version reads`, "a path of [lax | strict] $ and .key, ['key'] or [n] steps, e.g. '$.a.b[0]'");
}

/** The clause arguments the SQL frontend writes as string literals (RETURNING, ON EMPTY, ON ERROR, WRAPPER). */
function clauseArgs(t: TypeCheck, at: number[]): void {
  for (const i of at) if (typeof t.literal(i) !== 'string') t.fail(`${t.written}: argument ${i + 1} is a clause keyword the SQL frontend writes`, 'write the clause in SQL: JSON_VALUE(js, \'$.a\' RETURNING INT NULL ON EMPTY)');
}

/** The RETURNING types of JSON_VALUE, as Flink's code generation takes them (JsonValueCallGen). */
const RETURNING: Record<string, DataType> = { STRING: DataTypes.STRING(), BOOLEAN: DataTypes.BOOLEAN(), INT: DataTypes.INT(), DOUBLE: DataTypes.DOUBLE() };

const unquoted = (a: string | undefined) => String(a).replace(/'/g, '');
const behaviour = (mode: string | undefined, dflt: string | undefined) => (unquoted(mode) === 'DEFAULT' ? `DEFAULT ${dflt}` : unquoted(mode));

/** A JSON number as Jackson writes a Java double (1.0E+10), or an integer as it is. */
const jsonNumber = (n: number, type?: DataType) =>
  (type && type.name !== 'DOUBLE' && type.name !== 'FLOAT' ? String(n) : javaDouble(n).replace(/E(\d)/, 'E+$1'));

/**
 * One SQL value as JSON text (JSON_STRING, JSON_OBJECT and JSON_ARRAY elements, JSON_ARRAYAGG): a DECIMAL as
 * Jackson writes a BigDecimal, a TIMESTAMP as Java's ISO text (2024-01-31T10:15:30.123, the seconds always, the
 * fraction when not zero).
 */
export function toJson(v: unknown, type: DataType): string {
  if (typeof v === 'bigint') return javaDecimalString(v, type.scale ?? 0);
  if (type.name === 'TIMESTAMP') return JSON.stringify(formatTimestamp(v as number, 3).replace(' ', 'T').replace(/\.000$/, ''));
  if (typeof v === 'number') return jsonNumber(v, type);
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(String(v));
}

/** What Flink writes as JSON: numbers, strings, BOOLEAN and TIMESTAMP (DATE and TIME fail in Flink's code generation). */
export const jsonValueType = (d: DataType) => isNumeric(d) || isString(d) || d.name === 'TIMESTAMP' || d.name === 'BOOLEAN' || d.name === 'NULL';

/** JSON_OBJECT and JSON_ARRAY calls give JSON that an enclosing constructor takes as it is, not as a string. */
export const isJsonConstructor = (e: { kind: string }) => e.kind === 'call' && ['jsonObject', 'jsonArray'].includes((e as { fn?: string }).fn ?? '');

/** An element: raw JSON text (a nested constructor), NULL as JSON null, or a value as toJson writes it. */
const element = (v: unknown, type: DataType, raw: boolean) => (v === null ? 'null' : raw ? String(v) : toJson(v, type));

/** The ON NULL argument the SQL frontend adds first: 'NULL' (NULL ON NULL) or 'ABSENT' (ABSENT ON NULL). */
function onNullArg(t: TypeCheck): void {
  const v = t.literal(0);
  if (v !== 'NULL' && v !== 'ABSENT') t.fail(`${t.written}: the first argument is the ON NULL behaviour, 'NULL' or 'ABSENT'`);
}

/** JSON_QUOTE: a JSON string literal, with every character outside printable ASCII as \uXXXX, as Flink. */
function jsonQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '/': out += '\\/'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default:
        if (c >= 0x20 && c < 0x7f) out += ch;
        else for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
    }
  }
  return `${out}"`;
}

/** JSON_UNQUOTE: the string a JSON string literal denotes; other text is returned as it is. */
function jsonUnquote(s: string): string {
  if (s.length < 2 || !s.startsWith('"') || !s.endsWith('"')) return s;
  try { return String(JSON.parse(s)); } catch { return s; }
}

/** IS JSON [VALUE | SCALAR | ARRAY | OBJECT]: whether the text is JSON of that kind; FALSE for NULL. */
function isJson(text: string | null, kind: string): boolean {
  if (text === null) return false;
  let v: unknown;
  try { v = JSON.parse(text); } catch { return false; }
  switch (kind) {
    case 'SCALAR': return v === null || typeof v !== 'object';
    case 'ARRAY': return Array.isArray(v);
    case 'OBJECT': return v !== null && typeof v === 'object' && !Array.isArray(v);
    default: return true;
  }
}

export const JSON_FUNCTIONS = {
  isJson: {
    sql: [], api: [],
    type: (t) => { t.need(0, isString, 'a string'); return BOOL; },
    eval: { kind: 'nullable', impl: isJson },
    text: (a) => `(${a[0]} IS JSON ${String(a[1]).replace(/'/g, '')})`,
  },
  // The SQL frontend passes the clauses as literal arguments after the path (expression.ts jsonClauses).
  jsonExists: {
    sql: ['JSON_EXISTS'], api: [],
    type: (t) => { t.need(0, isString, 'a JSON string'); pathArg(t, 1); clauseArgs(t, [2]); return t.result(BOOL, true); },
    eval: { kind: 'nullable', impl: (text, path, onError) => (text === null || path === null ? null : jsonExists(text, path, onError)) },
    text: (a) => `JSON_EXISTS(${a[0]}, ${a[1]} ${unquoted(a[2])} ON ERROR)`,
  },
  jsonValue: {
    sql: ['JSON_VALUE'], api: [], decimals: 'exact',
    type: (t) => {
      t.need(0, isString, 'a JSON string');
      pathArg(t, 1);
      clauseArgs(t, [2, 3, 5]);
      const returning = RETURNING[String(t.literal(2))] ?? t.fail(`${t.written}: RETURNING ${String(t.literal(2))} is not supported, as in Flink`, 'RETURNING STRING, BOOLEAN, INT or DOUBLE');
      [4, 6].forEach((i) => t.need(i, jsonValueType, 'a number, string or BOOLEAN default'));
      return t.result(returning, true);
    },
    eval: {
      kind: 'nullable',
      impl: (text, path, returning, onEmpty, emptyDefault, onError, errorDefault, defaultTypes) =>
        (text === null || path === null ? null : jsonValue(text, path, returning, onEmpty, emptyDefault, onError, errorDefault, defaultTypes)),
      consts: (c) => [[c.args[4].type, c.args[6].type].map((d) => (d.name === 'DECIMAL' ? `DECIMAL(${d.precision}, ${d.scale})` : d.name))],
    },
    text: (a) => `JSON_VALUE(${a[0]}, ${a[1]} RETURNING ${unquoted(a[2])} ${behaviour(a[3], a[4])} ON EMPTY ${behaviour(a[5], a[6])} ON ERROR)`,
  },
  jsonQuery: {
    sql: ['JSON_QUERY'], api: [],
    type: (t) => {
      t.need(0, isString, 'a JSON string');
      pathArg(t, 1);
      clauseArgs(t, [2, 3, 4, 5]);
      return t.result(t.literal(2) === 'ARRAY' ? DataTypes.ARRAY(DataTypes.STRING()) : DataTypes.STRING(), true);
    },
    eval: { kind: 'nullable', impl: (text, path, ...clauses) => (text === null || path === null ? null : jsonQuery(text, path, ...(clauses as [string, string, string, string]))) },
    text: (a) => `JSON_QUERY(${a[0]}, ${a[1]} RETURNING ${unquoted(a[2])} ${unquoted(a[3])} WRAPPER ${unquoted(a[4])} ON EMPTY ${unquoted(a[5])} ON ERROR)`,
  },
  jsonString: {
    sql: ['JSON_STRING'], api: [], decimals: 'exact',
    type: (t) => { t.need(0, jsonValueType, 'a number, string or BOOLEAN'); return t.result(DataTypes.STRING()); },
    eval: { kind: 'strict', impl: toJson, consts: (c) => [c.args[0].type] },
  },
  jsonArray: {
    sql: ['JSON_ARRAY'], api: [], decimals: 'exact',
    type: (t) => { onNullArg(t); t.args.forEach((_, i) => i > 0 && t.need(i, jsonValueType, 'a number, string, TIMESTAMP or BOOLEAN')); return DataTypes.STRING().notNull!(); },
    // ABSENT ON NULL (the default) leaves NULL elements out; NULL ON NULL writes null.
    eval: {
      kind: 'nullable',
      impl: (onNull: string, ...vsAndTypes) => {
        const raw = vsAndTypes.pop() as boolean[];
        const types = vsAndTypes.pop() as DataType[];
        return `[${vsAndTypes.flatMap((v, i) => (v === null && onNull === 'ABSENT' ? [] : [element(v, types[i + 1], raw[i + 1])])).join(',')}]`;
      },
      consts: (c) => [c.args.map((a) => a.type), c.args.map(isJsonConstructor)],
    },
    text: (a) => `JSON_ARRAY(${a.slice(1).join(', ')}${a.length > 1 ? ' ' : ''}${String(a[0]).replace(/'/g, '')} ON NULL)`,
  },
  jsonObject: {
    sql: ['JSON_OBJECT'], api: [], decimals: 'exact',
    type: (t) => {
      onNullArg(t);
      if (t.args.length % 2 !== 1) t.fail(`${t.written} takes KEY k VALUE v pairs`, "JSON_OBJECT(KEY 'a' VALUE x, KEY 'b' VALUE y)");
      t.args.forEach((_, i) => i > 0 && (i % 2 === 1 ? t.need(i, isString, 'a string key') : t.need(i, jsonValueType, 'a number, string, TIMESTAMP or BOOLEAN')));
      return DataTypes.STRING().notNull!();
    },
    // Keys in order (Flink writes through a sorted map); NULL ON NULL (the default) writes null, ABSENT ON NULL leaves the key out.
    eval: {
      kind: 'nullable',
      impl: (onNull: string, ...vsAndTypes) => {
        const raw = vsAndTypes.pop() as boolean[];
        const types = vsAndTypes.pop() as DataType[];
        const entries = new Map<string, string>();
        for (let i = 0; i < vsAndTypes.length; i += 2) {
          const [k, v] = [vsAndTypes[i], vsAndTypes[i + 1]];
          if (k === null) throw new RangeError('JSON_OBJECT: a key is NULL (Flink fails the same way)');
          if (v === null && onNull === 'ABSENT') continue;
          entries.set(String(k), element(v, types[i + 2], raw[i + 2]));
        }
        const keys = [...entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${keys.map((k) => `${JSON.stringify(k)}:${entries.get(k)}`).join(',')}}`;
      },
      consts: (c) => [c.args.map((a) => a.type), c.args.map(isJsonConstructor)],
    },
    text: (a) => `JSON_OBJECT(${a.slice(1).map((x, i) => (i % 2 ? `VALUE ${x}` : `KEY ${x}`)).join(' ')}${a.length > 1 ? ' ' : ''}${String(a[0]).replace(/'/g, '')} ON NULL)`,
  },
  jsonQuote: { sql: ['JSON_QUOTE'], api: [], type: (t) => { t.need(0, isString, 'a string'); return t.result(DataTypes.STRING()); }, eval: { kind: 'strict', impl: jsonQuote } },
  jsonUnquote: { sql: ['JSON_UNQUOTE'], api: [], type: (t) => { t.need(0, isString, 'a string'); return t.result(DataTypes.STRING()); }, eval: { kind: 'strict', impl: jsonUnquote } },
} satisfies Record<string, BuiltinDef>;
