// JSON built-ins of the function table: JSON_EXISTS, JSON_VALUE and JSON_QUERY with SQL/JSON paths in lax
// mode and their default clauses (FALSE/NULL ON ERROR, NULL ON EMPTY, WITHOUT WRAPPER), JSON_STRING,
// JSON_OBJECT and JSON_ARRAY (with their ON NULL clause, which the SQL frontend passes as the first argument),
// JSON_QUOTE and JSON_UNQUOTE, as Flink computes them (test/conformance, families 'json' and 'string').
import { BOOL, type BuiltinDef, type TypeCheck } from './builtin-def.js';
import { DataTypes, isNumeric, isString, type DataType } from './data-types.js';
import { javaDecimalString } from './decimal.js';
import { javaDouble } from './java-strings.js';
import { formatTimestamp } from './values.js';

type Step = { readonly key: string } | { readonly index: number };

const pathCache = new Map<string, Step[] | null>();

/** A path of `$`, `.key`, `."key"`, `['key']` and `[n]` steps; null when it is not one. */
function parsePath(path: string): Step[] | null {
  let steps = pathCache.get(path);
  if (steps !== undefined) return steps;
  const body = path.trim().replace(/^(lax|strict)\s+/i, '');
  steps = [];
  const step = /\.([A-Za-z_$][\w$]*)|\."((?:[^"\\]|\\.)*)"|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*(\d+)\s*\]/y;
  if (!body.startsWith('$')) steps = null;
  else {
    step.lastIndex = 1;
    while (step.lastIndex < body.length) {
      const m = step.exec(body);
      if (!m) { steps = null; break; }
      steps.push(m[4] !== undefined ? { index: Number(m[4]) } : { key: m[1] ?? m[2] ?? m[3] });
    }
  }
  pathCache.set(path, steps);
  return steps;
}

const NOTHING = Symbol('no item');

/** The item a path selects in a JSON text; NOTHING when the text is no JSON or the path selects nothing (lax mode). */
function select(text: string, path: string): unknown {
  const steps = parsePath(path);
  if (steps === null) return NOTHING;
  let v: unknown;
  try { v = JSON.parse(text); } catch { return NOTHING; }
  for (const s of steps) {
    if ('index' in s) {
      if (!Array.isArray(v) || s.index >= v.length) return NOTHING;
      v = v[s.index];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, s.key)) return NOTHING;
      v = (v as Record<string, unknown>)[s.key];
    }
  }
  return v;
}

/** A path argument written as a literal must parse (a column's path is checked per row: no match is NULL). */
function pathArg(t: TypeCheck, i: number): void {
  t.need(i, isString, 'a JSON path string');
  const p = t.literal(i);
  if (typeof p === 'string' && parsePath(p) === null) t.fail(`${t.written}: '${p}' is not a JSON path this version reads`, "a path of $ and .key, ['key'] or [n] steps, e.g. '$.a.b[0]'");
}

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
  jsonExists: {
    sql: ['JSON_EXISTS'], api: [],
    type: (t) => { t.need(0, isString, 'a JSON string'); pathArg(t, 1); return t.result(BOOL); },
    eval: { kind: 'strict', impl: (text, path) => select(text, path) !== NOTHING },
  },
  jsonValue: {
    sql: ['JSON_VALUE'], api: [],
    type: (t) => { t.need(0, isString, 'a JSON string'); pathArg(t, 1); return t.result(DataTypes.STRING(), true); },
    // A scalar as text; an object, an array, JSON null or no match is NULL.
    eval: {
      kind: 'strict',
      impl: (text, path) => {
        const v = select(text, path);
        return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? String(v) : null;
      },
    },
  },
  jsonQuery: {
    sql: ['JSON_QUERY'], api: [],
    type: (t) => { t.need(0, isString, 'a JSON string'); pathArg(t, 1); return t.result(DataTypes.STRING(), true); },
    // An object or an array as compact JSON text; a scalar or no match is NULL (WITHOUT WRAPPER, NULL ON EMPTY).
    eval: { kind: 'strict', impl: (text, path) => { const v = select(text, path); return v !== null && typeof v === 'object' ? JSON.stringify(v) : null; } },
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
