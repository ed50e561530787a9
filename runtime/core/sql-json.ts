// JSON_EXISTS, JSON_VALUE and JSON_QUERY with their clauses, as Flink's SqlJsonUtils computes them over Jackson and
// Jayway JsonPath: a path is `lax` or `strict` (the default, as in Flink), a strict path that selects nothing or runs
// into a value of another kind is an error and a lax one an empty result, and ON EMPTY / ON ERROR say what each gives.
// JSON is read as Jackson reads it (one value, what follows ignored; numbers kept as written: an integer is Java's
// Integer or Long, a number with a fraction or an exponent a BigDecimal) and written as Flink's mapper writes it
// (object keys sorted).
import { javaDecimalString, plainString } from './decimal.js';
import { javaDouble } from './java-strings.js';

/** A JSON number as written; `integral`: no fraction and no exponent (Jackson's IntNode / LongNode). */
export class JsonNumber {
  readonly integral: boolean;
  constructor(readonly text: string) {
    this.integral = !/[.eE]/.test(text);
  }

  /** Java's String.valueOf of the number Jackson reads: an integer's digits, a BigDecimal's toString. */
  javaText(): string {
    if (this.integral) return BigInt(this.text).toString();
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(this.text)!;
    const fraction = m[3] ?? '';
    return javaDecimalString(BigInt(`${m[1]}${m[2]}${fraction}`), fraction.length - Number(m[4] ?? 0));
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

/** Reads one JSON value as Jackson does (what follows it is ignored); throws a SyntaxError for what is no JSON. */
export function parseJson(text: string): JsonValue {
  let i = 0;
  const fail = (): never => { throw new SyntaxError(`not JSON at ${i}: ${text.slice(i, i + 10)}`); };
  const space = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  let depth = 0;
  /** After a number at the top Jackson wants the end or a space: `1x` and `01` are no JSON (`[1] x` is one). */
  const rootNumber = (n: JsonNumber): JsonNumber => {
    if (depth === 0 && i < text.length && !' \t\n\r'.includes(text[i])) fail();
    return n;
  };
  const value = (): JsonValue => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      depth++;
      const map = new Map<string, JsonValue>();
      space();
      if (text[i] === '}') { i++; depth--; return map; }
      for (;;) {
        space();
        if (text[i] !== '"') fail();
        const key = string();
        space();
        if (text[i++] !== ':') fail();
        map.set(key, value());
        space();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] === '}') { depth--; return map; }
        fail();
      }
    }
    if (c === '[') {
      i++;
      depth++;
      const list: JsonValue[] = [];
      space();
      if (text[i] === ']') { i++; depth--; return list; }
      for (;;) {
        list.push(value());
        space();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] === ']') { depth--; return list; }
        fail();
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        if (/[\w$]/.test(text[i] ?? '')) fail();
        return v;
      }
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const n = m.exec(text);
    if (!n || n[0] === '-' || n[0] === '') fail();
    i += n![0].length;
    return rootNumber(new JsonNumber(n![0]));
  };
  const string = (): string => {
    const start = i;
    i++;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail();
      if (c === 0x5c) i++;
    }
    if (i >= text.length) fail();
    i++;
    try { return JSON.parse(text.slice(start, i)) as string; } catch { return fail(); }
  };
  return value();
}

/** Jackson's text of a value: object keys sorted, numbers as Java writes them, strings escaped as Jackson does. */
export function jsonize(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v).replace(/\\u00([0-9a-f]{2})/g, (_, h: string) => `\\u00${h.toUpperCase()}`);
  if (v instanceof JsonNumber) return v.javaText();
  if (Array.isArray(v)) return `[${v.map(jsonize).join(',')}]`;
  const keys = [...v.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${jsonize(k)}:${jsonize(v.get(k)!)}`).join(',')}}`;
}

const isScalar = (v: JsonValue) => !Array.isArray(v) && !(v instanceof Map);

type Step = { readonly key: string } | { readonly index: number };
export interface JsonPath { readonly mode: 'lax' | 'strict'; readonly steps: readonly Step[] }

const pathCache = new Map<string, JsonPath | null>();

/** `[lax | strict] $` then `.key`, `."key"`, `['key']` and `[n]` steps (strict without a mode, as in Flink); null when it is not one. */
export function parsePath(spec: string): JsonPath | null {
  let path = pathCache.get(spec);
  if (path !== undefined) return path;
  const mode = /^\s*(strict|lax)\s+/i.exec(spec);
  const body = (mode ? spec.slice(mode[0].length) : spec).trim();
  const steps: Step[] = [];
  const step = /\.([A-Za-z_$][\w$]*)|\."((?:[^"\\]|\\.)*)"|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*(\d+)\s*\]/y;
  path = body.startsWith('$') ? { mode: mode?.[1].toLowerCase() === 'lax' ? 'lax' : 'strict', steps } : null;
  step.lastIndex = 1;
  while (path && step.lastIndex < body.length) {
    const m = step.exec(body);
    if (!m) { path = null; break; }
    steps.push(m[4] !== undefined ? { index: Number(m[4]) } : { key: m[1] ?? m[2] ?? m[3] });
  }
  pathCache.set(spec, path);
  return path;
}

/** What a path selects: a value (JSON null included), or an error (strict mode's missing items, text that is no JSON). */
type Selected = { readonly mode: 'lax' | 'strict'; readonly error: boolean; readonly value: JsonValue };

/** Flink's jsonApiCommonSyntax: in lax mode what is missing (or no JSON) is the value null, in strict mode an error (JSON null too). */
function select(text: string, spec: string): Selected {
  const path = parsePath(spec);
  if (path === null) return { mode: 'strict', error: true, value: null };
  let v: JsonValue;
  try { v = parseJson(text); } catch { return { mode: path.mode, error: path.mode === 'strict', value: null }; }
  for (const s of path.steps) {
    const next = 'index' in s ? (Array.isArray(v) && s.index < v.length ? v[s.index] : undefined) : v instanceof Map ? v.get(s.key) : undefined;
    if (next === undefined) return { mode: path.mode, error: path.mode === 'strict', value: null };
    v = next;
  }
  // Strict mode takes JSON null for nothing, an error too (Calcite's JsonPathContext.withJavaObj, which Flink keeps).
  return { mode: path.mode, error: path.mode === 'strict' && v === null, value: v };
}

/** JSON_EXISTS: whether the path selects a value other than JSON null; an error gives what ON ERROR says. */
export function jsonExists(text: string, spec: string, onError: string): boolean | null {
  const r = select(text, spec);
  if (!r.error) return r.value !== null;
  switch (onError) {
    case 'TRUE': return true;
    case 'UNKNOWN': return null;
    case 'ERROR': throw new RangeError(`JSON_EXISTS: the path '${spec}' selects nothing in ${text}`);
    default: return false;
  }
}

/** A value JSON_VALUE may return: what the path selected, or a DEFAULT with its SQL type's name. */
type Raw = { json: JsonValue } | { value: unknown; type: string };

/**
 * JSON_VALUE: the scalar the path selects, as the RETURNING type (`returning`: STRING, BOOLEAN, INT or DOUBLE);
 * nothing, JSON null, or (lax) an object or array is empty, an error or (strict) an object or array is an error.
 * The conversion is Flink's cast of the Java object: a BOOLEAN must be a JSON boolean, an INT a JSON integer,
 * a DOUBLE a JSON number with a fraction or exponent (a BigDecimal); any other fails the job, as in Flink.
 */
export function jsonValue(
  text: string, spec: string, returning: string,
  onEmpty: string, emptyDefault: unknown, onError: string, errorDefault: unknown, defaultTypes: readonly string[],
): unknown {
  const r = select(text, spec);
  let raw: Raw | null;
  const behave = (mode: string, dflt: unknown, type: string, what: string): Raw | null => {
    if (mode === 'ERROR') throw new RangeError(`JSON_VALUE: ${what} for the path '${spec}' in ${text}`);
    return mode === 'DEFAULT' && dflt !== null ? { value: dflt, type } : null;
  };
  if (r.error) raw = behave(onError, errorDefault, defaultTypes[1], 'no value');
  else if (r.value === null || (r.mode === 'lax' && !isScalar(r.value))) raw = behave(onEmpty, emptyDefault, defaultTypes[0], 'an empty result');
  else if (!isScalar(r.value)) raw = behave(onError, errorDefault, defaultTypes[1], 'an object or array where strict mode needs a scalar');
  else raw = { json: r.value };
  return raw === null ? null : converted(raw, returning);
}

function converted(raw: Raw, returning: string): unknown {
  const fail = (what: string): never => {
    throw new RangeError(`JSON_VALUE ... RETURNING ${returning}: ${what} is no ${returning} (Flink fails the job with a ClassCastException too)`);
  };
  if ('json' in raw) {
    const v = raw.json;
    switch (returning) {
      case 'STRING': return v instanceof JsonNumber ? v.javaText() : String(v);
      case 'BOOLEAN': return typeof v === 'boolean' ? v : fail(`the JSON value ${jsonize(v)}`);
      case 'INT': {
        const n = v instanceof JsonNumber && v.integral ? Number(v.text) : NaN;
        return Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 ? n : fail(`the JSON value ${jsonize(v)}`);
      }
      default: return v instanceof JsonNumber && !v.integral ? Number(v.text) : fail(`the JSON value ${jsonize(v)}`);
    }
  }
  // A DEFAULT value goes through the same cast, as the Java object of its SQL type.
  const { value, type } = raw;
  switch (returning) {
    case 'STRING': return defaultText(value, type);
    case 'BOOLEAN': return type === 'BOOLEAN' ? value : fail(`the DEFAULT value of type ${type}`);
    case 'INT': return type === 'INT' ? value : fail(`the DEFAULT value of type ${type}`);
    default: return fail(`the DEFAULT value of type ${type}`);
  }
}

/** Java's String.valueOf of a SQL value's object. */
function defaultText(value: unknown, type: string): string {
  if (typeof value === 'bigint') return plainString(value, Number(type.replace(/^DECIMAL\(\d+,\s*(\d+)\)$/, '$1')) || 0);
  if (typeof value === 'number' && (type === 'DOUBLE' || type === 'FLOAT')) return javaDouble(value);
  return String(value);
}

/**
 * JSON_QUERY: the object or array the path selects (wrapped in an array WITH [UNCONDITIONAL] WRAPPER, and WITH
 * CONDITIONAL WRAPPER unless it is one), as JSON text or (`returning` ARRAY) as an ARRAY<STRING> of its elements;
 * nothing, JSON null or (lax) a scalar is empty, an error or (strict) a scalar is an error.
 */
export function jsonQuery(text: string, spec: string, returning: string, wrapper: string, onEmpty: string, onError: string): unknown {
  const r = select(text, spec);
  const result = (mode: string, what: string): unknown => {
    switch (mode) {
      case 'ERROR': throw new RangeError(`JSON_QUERY: ${what} for the path '${spec}' in ${text}`);
      case 'EMPTY ARRAY': return returning === 'ARRAY' ? [] : '[]';
      case 'EMPTY OBJECT':
        if (returning === 'ARRAY') throw new RangeError('JSON_QUERY: EMPTY OBJECT is no ARRAY (Flink fails the job too)');
        return '{}';
      default: return null;
    }
  };
  if (r.error) return result(onError, 'no value');
  let v = r.value;
  if (v !== null && (wrapper === 'UNCONDITIONAL' || (wrapper === 'CONDITIONAL' && !Array.isArray(v)))) v = [v];
  if (v === null || (r.mode === 'lax' && isScalar(v))) return result(onEmpty, 'an empty result');
  if (isScalar(v)) return result(onError, 'a scalar where strict mode needs an object or array');
  if (returning !== 'ARRAY') return jsonize(v);
  if (!Array.isArray(v)) return result(onError, 'an object where RETURNING ARRAY needs an array');
  return v.map((e) => (e === null ? null : e instanceof JsonNumber ? e.javaText() : isScalar(e) ? String(e) : jsonize(e)));
}
