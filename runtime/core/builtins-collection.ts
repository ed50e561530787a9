// ARRAY, MAP and ROW values in the function table (builtins.ts spreads them in): the constructors ARRAY[...],
// MAP[...], ROW(...), the subscript a[i] / m[k] and field access r.f, and Flink's collection functions
// (CARDINALITY, ELEMENT, ARRAY_*, MAP_*, SPLIT, STR_TO_MAP, REGEXP_EXTRACT_ALL), with Flink's result types and
// NULL handling (checked against Flink by test/conformance, families 'collection' and 'value'). Values: an
// ARRAY is a JS array, a MAP a JS Map (keys of any type, NULL included, in insertion order), a ROW an object
// keyed by field name (data-types.ts).
import { BOOL, FunctionTypeError, TypeCheck, type BuiltinDef, type CallInfo } from './builtin-def.js';
import { commonType } from './builtins-conditional.js';
import { DataTypes, isInteger, isString, typeToString, withType, type DataType } from './data-types.js';
import { compare, regex } from './scalar-functions.js';

const isArray = (d: DataType) => d.name === 'ARRAY';
const isMap = (d: DataType) => d.name === 'MAP';

/** SQL equality of two non-null values of one type, deep for collections (ARRAY_CONTAINS, ARRAY_DISTINCT, MAP keys). */
export function sqlEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a !== null && b !== null && typeof a !== 'object' && compare(a, b) === 0;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sqlEquals(x, b[i]));
  if (a instanceof Map) return b instanceof Map && a.size === b.size && [...a].every(([k, v]) => { const w = mapGet(b, k); return w !== undefined && sqlEquals(v, w); });
  if (a instanceof Uint8Array) return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sqlEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The value of a key of a MAP value: by identity first (strings, numbers), then by SQL equality (arrays, rows). */
function mapGet(m: Map<unknown, unknown>, k: unknown): unknown {
  if (m.has(k)) return m.get(k);
  if (k !== null && typeof k === 'object') for (const [key, v] of m) if (sqlEquals(key, k)) return v;
  return undefined;
}

const indexOf = (xs: readonly unknown[], x: unknown) => xs.findIndex((y) => sqlEquals(y, x));

/** The distinct elements in order of first appearance (NULL once). */
const distinct = (xs: readonly unknown[]) => xs.filter((x, i) => indexOf(xs, x) === i);

/** The element type several values meet in (ARRAY[...], MAP keys/values): nullable when any of them is. */
function elementType(t: TypeCheck, indices: number[], what: string): DataType {
  const sub = new TypeCheck(`${t.written} ${what}`, indices.map((i) => t.args[i]));
  const common = commonType(sub);
  if (common.name === 'NULL') t.fail(`${t.written}: the ${what} have no type (all NULL)`, `cast one: CAST(NULL AS INT)`);
  return withType(common, { nullable: sub.args.some((a) => a.type.nullable || a.type.name === 'NULL'), timeAttribute: undefined });
}

/** The argument must be an ARRAY; its element type. */
function arrayArg(t: TypeCheck, i: number): DataType {
  t.need(i, isArray, 'an ARRAY');
  return t.t(i).element ?? DataTypes.NULL();
}

function mapArg(t: TypeCheck, i: number): { key: DataType; value: DataType } {
  t.need(i, isMap, 'a MAP');
  return { key: t.t(i).key!, value: t.t(i).value! };
}

/** An element that must meet the array's element type. */
function needElement(t: TypeCheck, i: number, element: DataType): void {
  const probe = new TypeCheck(t.written, [{ kind: 'field', type: element }, t.args[i]]);
  try {
    commonType(probe);
  } catch (e) {
    if (e instanceof FunctionTypeError) t.fail(`${t.written}: argument ${i + 1} has type ${typeToString(t.t(i))}, not the element type ${typeToString(element)}`);
    throw e;
  }
}

const arrayOf = (element: DataType, nullable: boolean) => withType(DataTypes.ARRAY(element), { nullable });

/** A function of an ARRAY that gives an ARRAY of the same type (NULL for a NULL array). */
function arrayToArray(sql: string, impl: (xs: unknown[], ...rest: any[]) => unknown, check?: (t: TypeCheck, element: DataType) => void): BuiltinDef {
  return {
    sql: [sql], api: [],
    type: (t) => { const e = arrayArg(t, 0); check?.(t, e); return t.result(t.t(0), t.t(0).nullable); },
    eval: { kind: 'nullable', impl: (xs, ...rest) => (xs === null ? null : impl(xs, ...rest)) },
  };
}

/** Field names of ROW(...) and (a, b): Flink's EXPR$n. */
const rowFieldNames = (n: number) => Array.from({ length: n }, (_, i) => `EXPR$${i}`);

function buildRow(names: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  names.forEach((n, i) => { row[n] = values[i] ?? null; });
  return row;
}

/** ARRAY_MAX / ARRAY_MIN: over the non-null elements; NULL for an empty array or only NULLs. */
function arrayExtreme(sql: string, wins: (c: number) => boolean): BuiltinDef {
  return {
    sql: [sql], api: [],
    type: (t) => withType(arrayArg(t, 0), { nullable: true }),
    eval: {
      kind: 'strict',
      impl: (xs: unknown[]) => xs.reduce<unknown>((best, x) => (x === null ? best : best === null || wins(compare(x, best)) ? x : best), null),
    },
  };
}

/** A STRING argument, as the text functions check it. */
const needString = (t: TypeCheck, i: number) => t.need(i, isString, 'a string');

/** SPLIT: Flink's splitting, which keeps empty pieces at both ends and gives no piece for an empty string. */
function split(s: string, delimiter: string): string[] {
  if (s === '') return [];
  if (delimiter === '') return [...s];
  return s.split(delimiter);
}

/** ARRAY_SLICE's 1-based inclusive bounds; 0 is the start, negative counts from the end. */
function slice(xs: unknown[], start: number, end = xs.length): unknown[] {
  const n = xs.length;
  const from = start === 0 ? 1 : start < 0 ? n + start + 1 : start;
  const to = end < 0 ? n + end + 1 : end;
  if (from > to || from > n || to < 1) return [];
  return xs.slice(Math.max(from, 1) - 1, Math.min(to, n));
}

/** ARRAY_SORT's order: ascending with NULLs first by default, descending with NULLs last. */
function sortArray(xs: unknown[], ascending = true, nullsFirst = ascending): unknown[] {
  return [...xs].sort((a, b) => {
    if (a === null || b === null) return a === b ? 0 : (a === null) === nullsFirst ? -1 : 1;
    const c = compare(a, b);
    return ascending ? c : -c;
  });
}

export const COLLECTION_FUNCTIONS = {
  array: {
    sql: ['ARRAY'], api: [],
    type: (t) => {
      if (t.args.length === 0) t.fail('ARRAY[...] needs at least one element');
      return DataTypes.ARRAY(elementType(t, t.args.map((_, i) => i), 'elements')).notNull!();
    },
    eval: { kind: 'nullable', impl: (...xs) => xs, inline: (v) => `[${v.join(', ')}]` },
    text: (a) => `ARRAY[${a.join(', ')}]`,
  },
  map: {
    sql: ['MAP'], api: [],
    type: (t) => {
      if (t.args.length === 0 || t.args.length % 2 === 1) t.fail('MAP[...] takes keys and values in pairs: MAP[k1, v1, k2, v2, ...]');
      const keys = t.args.map((_, i) => i).filter((i) => i % 2 === 0);
      return DataTypes.MAP(elementType(t, keys, 'keys'), elementType(t, keys.map((i) => i + 1), 'values')).notNull!();
    },
    eval: {
      kind: 'nullable',
      impl: (...kv) => { const m = new Map(); for (let i = 0; i < kv.length; i += 2) m.set(kv[i], kv[i + 1]); return m; },
    },
    text: (a) => `MAP[${a.join(', ')}]`,
  },
  row: {
    sql: ['ROW'], api: [],
    type: (t) => {
      if (t.args.length === 0) t.fail('ROW(...) needs at least one field');
      const names = rowFieldNames(t.args.length);
      return DataTypes.ROW(...t.args.map((a, i) => ({ name: names[i], type: withType(a.type, { timeAttribute: undefined }) }))).notNull!();
    },
    eval: {
      kind: 'nullable', impl: (...vs) => buildRow(vs.pop() as string[], vs),
      consts: (c: CallInfo) => [c.type.fields!.map((f) => f.name)],
      inline: (v, c) => `({ ${c.type.fields!.map((f, i) => `${JSON.stringify(f.name)}: ${v[i]}`).join(', ')} })`,
    },
    text: (a) => `ROW(${a.join(', ')})`,
  },
  /** a[i] (1-based; NULL out of range) and m[k] (NULL for a missing key): Flink's ITEM. */
  item: {
    sql: [], api: [],
    type: (t) => {
      const base = t.t(0);
      if (isArray(base)) {
        t.need(1, isInteger, 'an integer index');
        return withType(base.element!, { nullable: true });
      }
      if (isMap(base)) {
        needElement(t, 1, base.key!);
        return withType(base.value!, { nullable: true });
      }
      return t.fail(`the subscript [...] applies to an ARRAY or a MAP, not ${typeToString(base)}`);
    },
    eval: {
      kind: 'strict',
      impl: (c, k) => (c instanceof Map ? mapGet(c, k) ?? null : Number.isInteger(k) && k >= 1 ? (c as unknown[])[k - 1] ?? null : null),
    },
    text: (a) => `${a[0]}[${a[1]}]`,
  },
  /** r.f: a field of a ROW value, by name (the literal second argument). */
  field: {
    sql: [], api: [],
    type: (t) => {
      const base = t.t(0);
      const name = t.literal(1);
      if (base.name !== 'ROW') t.fail(`.${String(name)}: field access applies to a ROW, not ${typeToString(base)}`);
      const fields = base.fields ?? [];
      const f = fields.find((x) => x.name === name) ?? fields.find((x) => x.name.toLowerCase() === String(name).toLowerCase());
      if (!f) return t.fail(`the ROW has no field '${String(name)}'`, `its fields: ${fields.map((x) => x.name).join(', ')}`);
      return withType(f.type, { nullable: f.type.nullable || base.nullable });
    },
    eval: { kind: 'strict', impl: (r, name) => (r as Record<string, unknown>)[name] ?? null },
    text: (a) => `${a[0]}.${a[1].replace(/^'|'$/g, '')}`,
  },
  cardinality: {
    sql: ['CARDINALITY'], api: [],
    type: (t) => { t.need(0, (d) => isArray(d) || isMap(d), 'an ARRAY or a MAP'); return t.result(DataTypes.INT()); },
    eval: { kind: 'strict', impl: (c) => (c instanceof Map ? c.size : (c as unknown[]).length) },
  },
  /** ELEMENT: the one element of an array, NULL for an empty one, an error for more than one (as Flink). */
  element: {
    sql: ['ELEMENT'], api: [],
    type: (t) => withType(arrayArg(t, 0), { nullable: true }),
    eval: {
      kind: 'strict',
      impl: (xs: unknown[]) => {
        if (xs.length > 1) throw new Error(`ELEMENT: the array has ${xs.length} elements, more than one`);
        return xs.length ? xs[0] : null;
      },
    },
  },
  arrayAppend: {
    sql: ['ARRAY_APPEND'], api: [],
    type: (t) => { const e = arrayArg(t, 0); needElement(t, 1, e); return arrayOf(withType(e, { nullable: e.nullable || t.t(1).nullable }), t.t(0).nullable); },
    eval: { kind: 'nullable', impl: (xs, x) => (xs === null ? null : [...xs, x]) },
  },
  arrayPrepend: {
    sql: ['ARRAY_PREPEND'], api: [],
    type: (t) => { const e = arrayArg(t, 0); needElement(t, 1, e); return arrayOf(withType(e, { nullable: e.nullable || t.t(1).nullable }), t.t(0).nullable); },
    eval: { kind: 'nullable', impl: (xs, x) => (xs === null ? null : [x, ...xs]) },
  },
  /** ARRAY_CONTAINS: a NULL needle finds a NULL element. */
  arrayContains: {
    sql: ['ARRAY_CONTAINS'], api: [],
    type: (t) => { needElement(t, 1, arrayArg(t, 0)); return t.result(BOOL, t.t(0).nullable); },
    eval: { kind: 'nullable', impl: (xs, x) => (xs === null ? null : indexOf(xs, x) >= 0) },
  },
  arrayDistinct: arrayToArray('ARRAY_DISTINCT', distinct),
  /** ARRAY_POSITION: the 1-based position of the first equal element, 0 when there is none. */
  arrayPosition: {
    sql: ['ARRAY_POSITION'], api: [],
    type: (t) => { needElement(t, 1, arrayArg(t, 0)); return t.result(DataTypes.INT()); },
    eval: { kind: 'strict', impl: (xs, x) => indexOf(xs, x) + 1 },
  },
  /** ARRAY_REMOVE: every element equal to the needle goes, NULLs for a NULL needle. */
  arrayRemove: arrayToArray('ARRAY_REMOVE', (xs, x) => xs.filter((y) => !sqlEquals(y, x)), (t, e) => needElement(t, 1, e)),
  arrayReverse: arrayToArray('ARRAY_REVERSE', (xs) => [...xs].reverse()),
  arraySlice: {
    sql: ['ARRAY_SLICE'], api: [],
    type: (t) => { arrayArg(t, 0); t.need(1, isInteger, 'an integer'); if (t.args.length > 2) t.need(2, isInteger, 'an integer'); return t.result(t.t(0)); },
    eval: { kind: 'strict', impl: slice },
  },
  arraySort: {
    sql: ['ARRAY_SORT'], api: [],
    type: (t) => { arrayArg(t, 0); for (let i = 1; i < t.args.length; i++) t.need(i, (d) => d.name === 'BOOLEAN', 'TRUE or FALSE'); return t.result(t.t(0)); },
    eval: { kind: 'strict', impl: sortArray },
  },
  arrayUnion: {
    sql: ['ARRAY_UNION'], api: [],
    type: (t) => arrayOf(elementType(t, [0, 1].map((i) => { arrayArg(t, i); return i; }), 'arrays').element!, t.nullable),
    eval: { kind: 'strict', impl: (a, b) => distinct([...a, ...b]) },
  },
  arrayConcat: {
    sql: ['ARRAY_CONCAT'], api: [],
    type: (t) => { t.args.forEach((_, i) => arrayArg(t, i)); return arrayOf(elementType(t, t.args.map((_, i) => i), 'arrays').element!, t.nullable); },
    eval: { kind: 'strict', impl: (...xss: unknown[][]) => xss.flat(1) },
  },
  arrayExcept: {
    sql: ['ARRAY_EXCEPT'], api: [],
    type: (t) => { arrayArg(t, 0); arrayArg(t, 1); return t.result(t.t(0)); },
    eval: { kind: 'strict', impl: (a: unknown[], b: unknown[]) => distinct(a).filter((x) => indexOf(b, x) < 0) },
  },
  arrayIntersect: {
    sql: ['ARRAY_INTERSECT'], api: [],
    type: (t) => { arrayArg(t, 0); arrayArg(t, 1); return t.result(t.t(0)); },
    eval: { kind: 'strict', impl: (a: unknown[], b: unknown[]) => distinct(a).filter((x) => indexOf(b, x) >= 0) },
  },
  arrayMax: arrayExtreme('ARRAY_MAX', (c) => c > 0),
  arrayMin: arrayExtreme('ARRAY_MIN', (c) => c < 0),
  /** ARRAY_JOIN: NULL elements are left out, or spelled as the third argument. */
  arrayJoin: {
    sql: ['ARRAY_JOIN'], api: [],
    type: (t) => { t.need(0, (d) => isArray(d) && isString(d.element!), 'an ARRAY of strings'); needString(t, 1); if (t.args.length > 2) needString(t, 2); return t.result(DataTypes.STRING(), t.t(0).nullable || t.t(1).nullable); },
    eval: {
      kind: 'nullable',
      impl: (xs, sep, nulls = null) => (xs === null || sep === null ? null : (xs as unknown[]).flatMap((x) => (x === null ? (nulls === null ? [] : [nulls]) : [x])).join(sep)),
    },
  },
  mapKeys: {
    sql: ['MAP_KEYS'], api: [],
    type: (t) => arrayOf(mapArg(t, 0).key, t.nullable),
    eval: { kind: 'strict', impl: (m: Map<unknown, unknown>) => [...m.keys()] },
  },
  mapValues: {
    sql: ['MAP_VALUES'], api: [],
    type: (t) => arrayOf(mapArg(t, 0).value, t.nullable),
    eval: { kind: 'strict', impl: (m: Map<unknown, unknown>) => [...m.values()] },
  },
  mapEntries: {
    sql: ['MAP_ENTRIES'], api: [],
    type: (t) => { const { key, value } = mapArg(t, 0); return arrayOf(DataTypes.ROW({ name: 'key', type: key }, { name: 'value', type: value }).notNull!(), t.nullable); },
    eval: { kind: 'strict', impl: (m: Map<unknown, unknown>) => [...m].map(([key, value]) => ({ key, value })) },
  },
  /** MAP_UNION: the maps' entries, a later map's value winning for a key. */
  mapUnion: {
    sql: ['MAP_UNION'], api: [],
    type: (t) => {
      t.args.forEach((_, i) => mapArg(t, i));
      const key = elementType(new TypeCheck(t.written, t.args.map((a) => ({ kind: 'field', type: a.type.key! }))), t.args.map((_, i) => i), 'keys');
      const value = elementType(new TypeCheck(t.written, t.args.map((a) => ({ kind: 'field', type: a.type.value! }))), t.args.map((_, i) => i), 'values');
      return withType(DataTypes.MAP(key, value), { nullable: t.nullable });
    },
    eval: { kind: 'strict', impl: (...ms: Map<unknown, unknown>[]) => { const out = new Map(); for (const m of ms) for (const [k, v] of m) out.set(k, v); return out; } },
  },
  mapFromArrays: {
    sql: ['MAP_FROM_ARRAYS'], api: [],
    type: (t) => withType(DataTypes.MAP(arrayArg(t, 0), arrayArg(t, 1)), { nullable: t.nullable }),
    eval: {
      kind: 'strict',
      impl: (ks: unknown[], vs: unknown[]) => {
        if (ks.length !== vs.length) throw new Error(`MAP_FROM_ARRAYS: ${ks.length} keys and ${vs.length} values; the arrays must be of one length`);
        return new Map(ks.map((k, i) => [k, vs[i]]));
      },
    },
  },
  split: {
    sql: ['SPLIT'], api: [],
    type: (t) => { needString(t, 0); needString(t, 1); return t.result(DataTypes.ARRAY(DataTypes.STRING())); },
    eval: { kind: 'strict', impl: split },
  },
  /** STR_TO_MAP(text[, pairDelimiter, keyValueDelimiter]): the delimiters are regular expressions (',' and '='). */
  strToMap: {
    sql: ['STR_TO_MAP'], api: [],
    type: (t) => { t.args.forEach((_, i) => needString(t, i)); return t.result(DataTypes.MAP(DataTypes.STRING(), DataTypes.STRING())); },
    eval: {
      kind: 'strict',
      impl: (s: string, pairs = ',', kv = '=') => {
        const m = new Map<string, string | null>();
        for (const pair of s.split(regex(pairs, ''))) {
          const at = regex(kv, '').exec(pair);
          m.set(at ? pair.slice(0, at.index) : pair, at ? pair.slice(at.index + at[0].length) : null);
        }
        return m;
      },
    },
  },
  /** REGEXP_EXTRACT_ALL(s, regex[, group = 1]): the group of every match; NULL when the regex has no such group. */
  regexpExtractAll: {
    sql: ['REGEXP_EXTRACT_ALL'], api: [],
    type: (t) => { needString(t, 0); needString(t, 1); if (t.args.length > 2) t.need(2, isInteger, 'an integer'); return withType(DataTypes.ARRAY(DataTypes.STRING()), { nullable: true }); },
    eval: {
      kind: 'strict',
      impl: (s: string, re: string, group = 1) => {
        const pattern = regex(re, 'g');
        const groups = new RegExp(`${pattern.source}|`).exec('')!.length - 1;
        if (group < 0 || group > groups) return null;
        return [...s.matchAll(pattern)].map((m) => m[group] ?? null);
      },
    },
  },
} satisfies Record<string, BuiltinDef>;
