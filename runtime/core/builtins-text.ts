// String and byte built-ins of the function table beyond the core ones in builtins.ts: TRUNCATE, BIN, HEX,
// UNHEX, the REGEXP_COUNT/INSTR/SUBSTR family, URL_ENCODE/DECODE, PARSE_URL, ELT, PRINTF and ENCODE/DECODE,
// each as Flink computes it (Java's String, URLEncoder, Formatter semantics; checked by test/conformance).
import { BOOL, decimalRounded, str, type BuiltinDef } from './builtin-def.js';
import { truncateDecimal } from './decimal.js';
import { DataTypes, isInteger, isNumeric, isString } from './data-types.js';
import { javaDouble } from './java-strings.js';
import { regex, trimChars } from './scalar-functions.js';

/** A two's-complement integer of `bits` bits in base 2, 8 or 16, as Java's Long.toBinaryString/toHexString (and %x of an int). */
const unsigned = (n: number, radix: number, bits = 64) => BigInt.asUintN(bits, BigInt(Math.trunc(n))).toString(radix);

/** The width of Java's integer types, which PRINTF's %x and %o format in two's complement. */
const INTEGER_BITS: Readonly<Record<string, number>> = { TINYINT: 8, SMALLINT: 16, INT: 32, BIGINT: 64 };

/** TRUNCATE(x, n): x cut (towards zero) to n fraction digits, or to a multiple of 10^-n for negative n. */
function truncate(x: number, n: number): number {
  const cut = n >= 0 ? Math.trunc(x * 10 ** n) / 10 ** n : Math.trunc(x / 10 ** -n) * 10 ** -n;
  return cut + 0; // -0 prints as 0.0 in Java's BigDecimal and double alike
}

/** Java's URLEncoder.encode(s, UTF-8): letters, digits and . - * _ stay, a space is +, the rest %XX of UTF-8. */
function urlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2A/g, '*');
}

function urlDecode(s: string): string | null {
  try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return null; }
}

const URL_PARTS = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

/** PARSE_URL(url, part[, key]) as Java's java.net.URL splits it; NULL for a part the URL lacks or a bad URL. */
function parseUrl(url: string, part: string, key?: string): string | null {
  const m = URL_PARTS.exec(url);
  if (!m) return null;
  const [, protocol, authority, path, query, ref] = m;
  const at = authority?.lastIndexOf('@') ?? -1;
  const userInfo = authority !== undefined && at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = authority === undefined ? undefined : authority.slice(at + 1);
  const host = hostPort?.replace(/:\d*$/, '');
  switch (part.toUpperCase()) {
    case 'PROTOCOL': return protocol;
    case 'AUTHORITY': return authority ?? null;
    case 'USERINFO': return userInfo ?? null;
    case 'HOST': return host ?? null;
    case 'PATH': return path;
    case 'FILE': return query === undefined ? path : `${path}?${query}`;
    case 'REF': return ref ?? null;
    case 'QUERY': {
      if (query === undefined) return null;
      if (key === undefined) return query;
      const hit = query.split('&').find((kv) => kv.split('=')[0] === key);
      return hit === undefined ? null : hit.slice(key.length + 1);
    }
    default: return null;
  }
}

/**
 * PRINTF(format, args...) with java.util.Formatter's common conversions: %s %S %d %x %X %o %f %e %E %b %c %%
 * %n, with flags (- 0 + space ,), width and precision. A NULL argument formats as "null", as in Java.
 */
function printf(format: string, ...argsAndTypes: unknown[]): string {
  const types = argsAndTypes.pop() as string[];
  const args = argsAndTypes;
  let next = 0;
  return format.replace(/%([-#+ 0,(]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (whole, flags: string, width?: string, precision?: string, conv?: string) => {
    if (conv === '%') return '%';
    if (conv === 'n') return '\n';
    const bits = INTEGER_BITS[types[next]] ?? 64;
    const v = args[next++];
    let out: string;
    if (v === null || v === undefined) {
      out = conv === 'b' || conv === 'B' ? 'false' : 'null';
      if (precision !== undefined) out = out.slice(0, Number(precision));
    } else {
      switch (conv) {
        case 's': case 'S': out = typeof v === 'number' && !Number.isInteger(v) ? javaDouble(v) : String(v); break;
        case 'd': out = BigInt(Math.trunc(Number(v))).toString(); if (flags.includes(',')) out = out.replace(/\B(?=(\d{3})+(?!\d))/g, ','); break;
        case 'x': case 'X': out = unsigned(Number(v), 16, bits); break;
        case 'o': out = unsigned(Number(v), 8, bits); break;
        case 'f': out = Number(v).toFixed(precision === undefined ? 6 : Number(precision)); break;
        case 'e': case 'E': out = Number(v).toExponential(precision === undefined ? 6 : Number(precision)).replace(/e([+-])(\d)$/, 'e$10$2'); break;
        case 'b': case 'B': out = String(v !== false); break;
        case 'c': out = typeof v === 'number' ? String.fromCodePoint(v) : String(v)[0] ?? ''; break;
        default: throw new Error(`PRINTF: unknown conversion '${whole}'`);
      }
      if (precision !== undefined && (conv === 's' || conv === 'S')) out = out.slice(0, Number(precision));
      if (flags.includes('+') && /^[dfeE]$/.test(conv!) && !out.startsWith('-')) out = `+${out}`;
      else if (flags.includes(' ') && /^[dfeE]$/.test(conv!) && !out.startsWith('-')) out = ` ${out}`;
    }
    if (conv === 'S' || conv === 'X' || conv === 'E' || conv === 'B') out = out.toUpperCase();
    const w = Number(width ?? 0);
    if (out.length < w) {
      if (flags.includes('-')) out = out.padEnd(w);
      else if (flags.includes('0') && v !== null && v !== undefined && /^[+-]?\d/.test(out)) { const sign = /^[+-]/.test(out) ? out[0] : ''; out = sign + out.slice(sign.length).padStart(w - sign.length, '0'); }
      else out = out.padStart(w);
    }
    return out;
  });
}

/** The charsets ENCODE/DECODE take, as Node names them. */
const CHARSETS: Readonly<Record<string, BufferEncoding>> = { 'UTF-8': 'utf8', 'US-ASCII': 'ascii', 'ISO-8859-1': 'latin1', 'UTF-16LE': 'utf16le' };
const charsetArg = (t: Parameters<BuiltinDef['type']>[0], i: number) => {
  const c = t.literal(i);
  if (c !== undefined && !(String(c).toUpperCase() in CHARSETS)) t.fail(`${t.written}: unsupported charset '${String(c)}'`, `one of ${Object.keys(CHARSETS).join(', ')}`);
};
const encoding = (charset: string) => {
  const e = CHARSETS[charset.toUpperCase()];
  if (!e) throw new Error(`unsupported charset '${charset}' (one of ${Object.keys(CHARSETS).join(', ')})`);
  return e;
};

/** SIMILAR TO's pattern as a regular expression over the whole string: % and _ are SQL's, the rest is regex. */
function similarPattern(pattern: string, escape?: string): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (escape !== undefined && ch === escape && i + 1 < pattern.length) src += `\\${pattern[++i]}`;
    else src += ch === '%' ? '.*' : ch === '_' ? '.' : ch;
  }
  return regex(`^(?:${src})$`, 's');
}

/** TRANSLATE(s, from, to): each character of `from` becomes the one at its place in `to`, or goes when `to` is shorter. */
function translate(s: string, from: string, to: string): string {
  let out = '';
  for (const ch of s) {
    const i = from.indexOf(ch);
    out += i < 0 ? ch : to[i] ?? '';
  }
  return out;
}

/** TRIM's forms: TRIM(s); TRIM(chars, s) (TRIM(chars FROM s)); TRIM(mode, s) / TRIM(mode, chars, s) with mode 1 BOTH, 2 LEADING, 3 TRAILING, as parse-sql.ts writes TRIM(BOTH|LEADING|TRAILING [chars] FROM s). */
function trimForm(...vs: unknown[]): string {
  const s = vs[vs.length - 1] as string;
  const mode = typeof vs[0] === 'number' ? vs[0] : 1;
  const chars = vs.length === 3 ? (vs[1] as string) : vs.length === 2 && typeof vs[0] === 'string' ? vs[0] : ' ';
  return trimChars(s, chars, mode !== 3, mode !== 2);
}

export const TEXT_FUNCTIONS = {
  trim: {
    sql: ['TRIM'], api: ['trim'],
    type: (t) => {
      if (t.args.length < 1 || t.args.length > 3) t.fail('TRIM takes a string: TRIM(s) or TRIM([BOTH|LEADING|TRAILING] [characters] FROM s)');
      t.need(t.args.length - 1, isString, 'a string');
      if (t.args.length === 3) t.need(1, isString, 'a string of characters to remove');
      return t.result(DataTypes.STRING());
    },
    eval: { kind: 'strict', impl: trimForm, inline: (v) => (v.length === 1 ? `${v[0]}.trim()` : undefined) },
  },
  similarTo: {
    sql: [], api: [],
    type: (t) => { t.need(0, isString, 'a string'); t.need(1, isString, 'a pattern'); return t.result(BOOL); },
    eval: { kind: 'strict', impl: (s, p, e) => similarPattern(p, e).test(s) },
    text: (a) => `(${a[0]} SIMILAR TO ${a[1]}${a[2] ? ` ESCAPE ${a[2]}` : ''})`,
  },
  overlay: {
    sql: ['OVERLAY'], api: [],
    type: (t) => { t.need(0, isString, 'a string'); t.need(1, isString, 'a string'); t.need(2, isInteger, 'a position'); return t.result(DataTypes.STRING()); },
    // A position past the end leaves the string as it is (Flink gives '' for OVERLAY('' PLACING 'XX' FROM 2)).
    eval: { kind: 'strict', impl: (s, x, from, len) => (from - 1 > s.length ? s : s.slice(0, Math.max(0, from - 1)) + x + s.slice(Math.max(0, from - 1 + (len ?? x.length)))) },
    text: (a) => `OVERLAY(${a[0]} PLACING ${a[1]} FROM ${a[2]}${a[3] ? ` FOR ${a[3]}` : ''})`,
  },
  translate: str(['TRANSLATE'], translate),
  truncate: {
    sql: ['TRUNCATE'], api: [], decimals: 'exact',
    type: (t) => {
      t.need(0, isNumeric, 'a number');
      if (t.args.length > 1) t.need(1, isInteger, 'an integer');
      return t.result(decimalRounded(t));
    },
    eval: {
      kind: 'strict', impl: (x, n, s) => (s !== undefined ? truncateDecimal(x, s, n ?? 0) : truncate(x, n ?? 0)),
      consts: (c) => (c.args[0].type.name === 'DECIMAL' ? [...(c.args.length === 1 ? [0] : []), c.args[0].type.scale ?? 0] : []),
    },
  },
  bin: {
    ...str(['BIN'], (n) => unsigned(n, 2)),
    type: (t) => { t.need(0, isInteger, 'an integer'); return t.result(DataTypes.STRING()); },
  },
  hex: {
    sql: ['HEX'], api: [],
    type: (t) => { t.need(0, (d) => isInteger(d) || isString(d), 'an integer or a string'); return t.result(DataTypes.STRING()); },
    eval: { kind: 'strict', impl: (v) => (typeof v === 'string' ? Buffer.from(v, 'utf8').toString('hex') : unsigned(v, 16)).toUpperCase() },
  },
  unhex: {
    sql: ['UNHEX'], api: [],
    type: (t) => { t.need(0, isString, 'a string'); return t.result(DataTypes.BYTES(), true); },
    // As Flink's EncodingUtils.unhex: digits pair up from the right; of an odd count the first digit is only
    // checked (its byte stays 0); a character that is no hex digit gives NULL.
    eval: { kind: 'strict', impl: (s) => (/^[0-9a-fA-F]*$/.test(s) ? new Uint8Array(Buffer.from(s.length % 2 ? `00${s.slice(1)}` : s, 'hex')) : null) },
  },
  regexpCount: { ...str(['REGEXP_COUNT'], (s, re) => s.match(regex(re, 'g'))?.length ?? 0), type: (t) => t.result(DataTypes.INT()) },
  regexpInstr: { ...str(['REGEXP_INSTR'], (s, re) => { const m = regex(re, '').exec(s); return m ? m.index + 1 : 0; }), type: (t) => t.result(DataTypes.INT()) },
  regexpSubstr: str(['REGEXP_SUBSTR'], (s, re) => regex(re, '').exec(s)?.[0] ?? null, true),
  urlEncode: str(['URL_ENCODE'], urlEncode),
  urlDecode: str(['URL_DECODE'], urlDecode, true),
  parseUrl: str(['PARSE_URL'], parseUrl, true),
  elt: {
    sql: ['ELT'], api: [],
    type: (t) => { t.need(0, isInteger, 'an integer index'); t.args.slice(1).forEach((_, i) => t.need(i + 1, isString, 'a string')); return t.result(DataTypes.STRING(), true); },
    eval: { kind: 'nullable', impl: (n, ...vs) => (n === null || n < 1 || n > vs.length ? null : vs[n - 1]) },
  },
  printf: {
    sql: ['PRINTF'], api: [],
    type: (t) => { t.need(0, isString, 'a format string'); return t.result(DataTypes.STRING(), t.t(0).nullable); },
    eval: {
      kind: 'nullable', impl: (format, ...vs) => (format === null ? null : printf(format, ...vs)),
      consts: (c) => [c.args.slice(1).map((a) => a.type.name)],
    },
  },
  encode: {
    sql: ['ENCODE'], api: [],
    type: (t) => { t.need(0, isString, 'a string'); charsetArg(t, 1); return t.result(DataTypes.BYTES()); },
    eval: { kind: 'strict', impl: (s, charset) => new Uint8Array(Buffer.from(s, encoding(charset))) },
  },
  decode: {
    sql: ['DECODE'], api: [],
    type: (t) => { t.need(0, (d) => d.name === 'BYTES', 'BYTES'); charsetArg(t, 1); return t.result(DataTypes.STRING()); },
    eval: { kind: 'strict', impl: (b, charset) => Buffer.from(b).toString(encoding(charset)) },
  },
} satisfies Record<string, BuiltinDef>;
