// JSON built-ins of the function table: JSON_EXISTS, JSON_VALUE and JSON_QUERY with SQL/JSON paths in lax
// mode and their default clauses (FALSE/NULL ON ERROR, NULL ON EMPTY, WITHOUT WRAPPER), JSON_STRING,
// JSON_ARRAY (ABSENT ON NULL), JSON_QUOTE and JSON_UNQUOTE, as Flink computes them (test/conformance, family
// 'json' and 'string'). The clauses themselves (RETURNING, ON EMPTY, WITH WRAPPER) are not parsed yet.
import { BOOL, type BuiltinDef, type TypeCheck } from './builtin-def.js';
import { DataTypes, isNumeric, isString, type DataType } from './data-types.js';
import { javaDecimalString } from './decimal.js';
import { javaDouble } from './java-strings.js';

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

/** One SQL value as JSON text (JSON_STRING, JSON_ARRAY elements); a DECIMAL as Jackson writes a BigDecimal. */
function toJson(v: unknown, type: DataType): string {
  if (typeof v === 'bigint') return javaDecimalString(v, type.scale ?? 0);
  if (typeof v === 'number') return jsonNumber(v, type);
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(String(v));
}

const jsonValueType = (d: DataType) => isNumeric(d) || isString(d) || d.name === 'BOOLEAN' || d.name === 'NULL';

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
    type: (t) => { t.args.forEach((_, i) => t.need(i, jsonValueType, 'a number, string or BOOLEAN')); return DataTypes.STRING().notNull!(); },
    // ABSENT ON NULL: NULL elements are left out.
    eval: {
      kind: 'nullable',
      impl: (...vsAndTypes) => {
        const types = vsAndTypes.pop() as DataType[];
        return `[${vsAndTypes.flatMap((v, i) => (v === null ? [] : [toJson(v, types[i])])).join(',')}]`;
      },
      consts: (c) => [c.args.map((a) => a.type)],
    },
  },
  jsonQuote: { sql: ['JSON_QUOTE'], api: [], type: (t) => { t.need(0, isString, 'a string'); return t.result(DataTypes.STRING()); }, eval: { kind: 'strict', impl: jsonQuote } },
  jsonUnquote: { sql: ['JSON_UNQUOTE'], api: [], type: (t) => { t.need(0, isString, 'a string'); return t.result(DataTypes.STRING()); }, eval: { kind: 'strict', impl: jsonUnquote } },
} satisfies Record<string, BuiltinDef>;
