// A csv decoder generated for one table's columns: one straight-line function that walks a record's bytes
// once, steps over the columns the query does not read, converts the ones it does inline (integers digit by
// digit, decimals by Clinger's fast path, millisecond timestamps four bytes at a time against the column's
// last minute, other timestamps by text-values' scanner, strings through a per-column cache) and returns the
// row as one object literal. Reading bytes where sources have them avoids making a
// string per line or per chunk (bench/README.md). It answers only for records it fully understands and returns
// undefined for anything else (a quote character, an empty or over-long number, another timestamp spelling,
// too few or too many columns, a lone carriage return), which the generic decoder in csv.ts then decodes or
// rejects: both paths give the same row for every record the fast path takes, so the fast path never changes
// what a job computes.
import type { Field } from '../core/data-types.js';
import { literalKey } from '../core/row.js';
import type { FastDecoder } from './codec.js';
import { ByteStrings, FNV_OFFSET, FNV_PRIME } from './byte-strings.js';
import type { CsvSettings } from './format-options.js';
import { Conv, scanTimestamp, textColumn } from './text-values.js';


const DECIMALS = new Set(['DOUBLE', 'FLOAT', 'DECIMAL']);
/** Exact powers of ten as doubles (10^22 is the last exact one). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
/** Powers of ten as bigints, for DECIMAL columns (core/decimal.ts: the unscaled value at the column's scale). */
const POW10N = Array.from({ length: 39 }, (_, i) => 10n ** BigInt(i));
/** Characters of a 'yyyy-MM-dd HH:mm:ss.SSS' timestamp. */
const TIMESTAMP_CHARS = /[0-9 :.-]/;
const NL = 10;
const CR = 13;
const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];

/** The length of the usual spelling of a column's values: 'yyyy-MM-dd' or 'yyyy-MM-dd HH:mm:ss[.fff]'. */
function printedWidth(type: string, precision: number | undefined): number {
  if (type === 'DATE') return 10;
  const p = precision ?? 6;
  return p === 0 ? 19 : 20 + p;
}

/**
 * The fast decoder for these settings and columns, or null when the settings need the generic decoder for
 * every record (an escape character, a null literal, a delimiter or quote outside ASCII) or a column's type
 * has no fast conversion.
 */
export function compileCsvFastPath(declared: readonly Field[], fields: readonly Field[], s: CsvSettings): FastDecoder | null {
  if (s.escape !== null || s.nullLiteral !== null || s.delimiter.length !== 1 || s.delimiter.charCodeAt(0) > 127) return null;
  if (s.quote !== null && s.quote.charCodeAt(0) > 127) return null;
  if (fields.some((f) => !declared.some((d) => d.name === f.name))) return null;
  const slotOf = declared.map((d) => fields.findIndex((f) => f.name === d.name));
  const D = s.delimiter.charCodeAt(0);
  // A field read as text stops at the delimiter, the line's end, a carriage return or a quote (declined: the
  // generic decoder unquotes); converted fields stop at the first character their conversion does not take.
  const stopCodes = [D, NL, CR, ...(s.quote === null ? [] : [s.quote.charCodeAt(0)])];
  // Most bytes of a field are above every stop code: one comparison lets them through.
  const stops = `c > ${Math.max(...stopCodes)} || (${stopCodes.map((x) => `c !== ${x}`).join(' && ')} && p < len)`;
  const toFieldEnd = `s = p; while (${stops}) c = b[++p];`;
  const out: string[] = [];
  const line = (l: string) => out.push(l);

  line('const len = b.length;');
  line('let p = start, c = b[p], s = 0, n = 0, k = 0, neg = false, f = 0, h = 0, hi = 0;');
  const prelude = out.length;
  // State kept between calls (one per generated decoder): each millisecond timestamp column's last minute.
  const state: string[] = [];
  // An empty line or a comment: the generic decoder says what it is.
  line(`if (p >= len || c === ${NL} || c === ${CR}${s.allowComments ? ' || c === 35' : ''}) return undefined;`);
  const caches: ByteStrings[] = [];
  for (let col = 0; col < declared.length; col++) {
    const slot = slotOf[col];
    const type = declared[col].type.name;
    // The column's conversion as the generic decoder classifies it (text-values.ts), so both take the same types.
    const { conv, digits } = textColumn(declared[col].type);
    if (slot < 0) {
      line(toFieldEnd);
    } else if (conv === Conv.STRING) {
      line(`s = p; h = ${FNV_OFFSET}; hi = 0;`);
      line(`while (${stops}) { h = Math.imul(h ^ c, ${FNV_PRIME}); hi |= c; c = b[++p]; }`);
      line(`const v${slot} = strings[${caches.length}].get(b, s, p, h, hi);`);
      caches.push(new ByteStrings());
    } else if (conv === Conv.INTEGER) {
      line('neg = c === 45; if (neg || c === 43) c = b[++p];');
      line('s = p; n = 0; while (c >= 48 && c <= 57) { n = n * 10 + (c - 48); c = b[++p]; }');
      line(`if (p === s || p - s > ${digits}) return undefined;`);
      line(`const v${slot} = neg ? -n : n;`);
    } else if (DECIMALS.has(type)) {
      // Clinger: at most 15 digits in all, so the digits are an exact integer and n / 10^f rounds once, as Number() does.
      // n is the digits' value, k the number of digits, f of those after the point.
      line('neg = c === 45; if (neg) c = b[++p];');
      line('s = p; n = 0; f = 0; while (c >= 48 && c <= 57) { n = n * 10 + (c - 48); c = b[++p]; }');
      line('k = p - s; if (c === 46) { c = b[++p]; s = p; while (c >= 48 && c <= 57) { n = n * 10 + (c - 48); c = b[++p]; } f = p - s; k += f; }');
      line('if (k === 0 || k > 15) return undefined;');
      if (type === 'DECIMAL') {
        // Exact: the digits as an integer at the column's scale; more fraction digits than that round, which
        // (with NULL for too many digits) the generic decoder does.
        const scale = declared[col].type.scale ?? 0, precision = declared[col].type.precision ?? 10;
        line(`if (f > ${scale} || k - f > ${precision - scale}) return undefined;`);
        line(`const v${slot} = BigInt(neg ? -n : n) * POW10N[${scale} - f];`);
      } else {
        line(`const v${slot} = (neg ? -n : n) / POW10[f];`);
      }
    } else if (conv === Conv.TIMESTAMP || conv === Conv.DATE) {
      // Most fields have the length their type prints with: when a field end is right there, the scan to it
      // is skipped (a wrong guess only fails scanTimestamp, which checks every position, and the line goes to
      // the generic decoder). Delimiters that can occur inside a timestamp always scan.
      const width = printedWidth(declared[col].type.name, declared[col].type.precision);
      if (width > 0 && !TIMESTAMP_CHARS.test(s.delimiter)) {
        line(`s = p; p = s + ${width}; c = b[p];`);
        line(`if (p > len || (p < len && c !== ${D} && c !== ${NL} && c !== ${CR})) { p = s; c = b[p]; while (${stops}) c = b[++p]; }`);
      } else {
        line(toFieldEnd);
      }
      if (width === MILLIS_WIDTH && conv === Conv.TIMESTAMP) {
        line(`let v${slot} = 0;`);
        out.push(...millisTimestamp(`v${slot}`, `t${slot}`));
        state.push(`let t${slot}_0 = 0, t${slot}_1 = 0, t${slot}_2 = 0, t${slot}_3 = 0, t${slot}_base = NaN;`);
      } else {
        line(`const v${slot} = scanTimestamp(b, s, p); if (v${slot} !== v${slot}) return undefined;`);
      }
    } else if (type === 'BOOLEAN') {
      line(toFieldEnd);
      const word = (w: number[]) => `p - s === ${w.length} && ${w.map((x, i) => `b[s + ${i}] === ${x}`).join(' && ')}`;
      line(`const v${slot} = ${word(TRUE)} ? true : ${word(FALSE)} ? false : undefined;`);
      line(`if (v${slot} === undefined) return undefined;`);
    } else {
      return null;
    }
    if (col < declared.length - 1) {
      line(`if (c !== ${D} || p >= len) return undefined;`);
      line('c = b[++p];');
    } else {
      // The record ends here: at '\n' (after an optional '\r') or at the end of the bytes.
      line(`if (c === ${CR} && b[p + 1] === ${NL}) c = b[++p];`);
      line(`if (p < len && c !== ${NL}) return undefined;`);
      line('at.next = p + 1;');
    }
  }
  const props = fields.map((f, i) => `${literalKey(f.name)}: v${i}`);
  // Writing into a row goes through property names, and an assignment to __proto__ would set the prototype.
  if (!fields.some((f) => f.name === '__proto__')) {
    line(`if (into !== undefined) { ${fields.map((f, i) => `into[${JSON.stringify(f.name)}] = v${i};`).join(' ')} return into; }`);
  }
  line(`return { ${props.join(', ')} };`);
  if (state.length > 0) {
    // The record's bytes as words, through a DataView over the whole ArrayBuffer: made again only when another
    // one comes, and looked up only for another Buffer (a file's chunk holds thousands of records; reading
    // b.buffer for each costs more than the words save).
    out.splice(prelude, 0, 'if (b !== lastB) { lastB = b; const ab = b.buffer; if (ab !== view.buffer) view = new DataView(ab); o = b.byteOffset; }');
    state.push('let view = new DataView(new ArrayBuffer(0)), lastB = null, o = 0;');
  }
  const body = `${state.join('\n')}\nreturn function fastCsv(b, start, at, into) {\n${out.join('\n')}\n};`;
  return new Function('scanTimestamp', 'POW10', 'POW10N', 'strings', body)(scanTimestamp, POW10, POW10N, caches) as FastDecoder;
}

/** Length of 'yyyy-MM-dd HH:mm:ss.SSS'. */
const MILLIS_WIDTH = 23;

/**
 * Converts a 'yyyy-MM-dd HH:mm:ss.SSS' field at b[s, p) into `v` (else leaves the field to scanTimestamp).
 * Records in event-time order share their minute with the record before, so the first 16 bytes are compared
 * as four words with the column's last minute (`t`_0..3; `t`_base is that minute's start in epoch millis):
 * only a new minute goes through scanTimestamp. The rest, ':ss.SSS', is checked and read from two
 * words: each byte less its expected character must be 0 for ':' and '.', and 0..9 for a digit; a byte below
 * its character borrows from the next and shows as 0xC6 or more, so any such byte fails the check.
 */
function millisTimestamp(v: string, t: string): string[] {
  return [
    `if (p - s === ${MILLIS_WIDTH}) {`,
    'const q = o + s, w0 = view.getInt32(q, true), w1 = view.getInt32(q + 4, true), w2 = view.getInt32(q + 8, true), w3 = view.getInt32(q + 12, true);',
    `if (w0 !== ${t}_0 || w1 !== ${t}_1 || w2 !== ${t}_2 || w3 !== ${t}_3 || ${t}_base !== ${t}_base) {`,
    // 'yyyy-MM-dd HH:mm:ss' checks the minute's calendar and clock; its seconds are taken off again.
    'const m = scanTimestamp(b, s, s + 19); if (m !== m) return undefined;',
    `${t}_0 = w0; ${t}_1 = w1; ${t}_2 = w2; ${t}_3 = w3; ${t}_base = m - ((b[s + 17] - 48) * 10 + b[s + 18] - 48) * 1000;`,
    '}',
    // ':', 's', 's', '.' and '.', 'S', 'S', 'S', little-endian.
    'const x = (view.getInt32(q + 16, true) - 0x2e30303a) | 0, y = (view.getInt32(q + 19, true) - 0x3030302e) | 0;',
    'if ((x & 0xff0000ff) !== 0 || (y & 0xff) !== 0 || ((x | y) & 0xf0f0f0f0) !== 0 || (((x + 0x06060606) | (y + 0x06060606)) & 0xf0f0f0f0) !== 0) return undefined;',
    'const sec = ((x >>> 8) & 0xff) * 10 + ((x >>> 16) & 0xff); if (sec > 59) return undefined;',
    `${v} = ${t}_base + sec * 1000 + ((y >>> 8) & 0xff) * 100 + ((y >>> 16) & 0xff) * 10 + (y >>> 24);`,
    `} else { ${v} = scanTimestamp(b, s, p); if (${v} !== ${v}) return undefined; }`,
  ];
}
