// A csv decoder generated for one table's columns: one straight-line function that walks a plain line once,
// skips the columns the query does not read, converts the ones it does inline (integers digit by digit,
// decimals by Clinger's fast path, timestamps by text-values' scanner) and returns the row as one object
// literal. Fields are delimited with indexOf: lines arrive as slices of a larger chunk, and charCodeAt on a
// sliced string pays for the indirection on every character while indexOf pays once (3x faster to skip a
// 20-character field); one indexOf up front turns away lines with a quote character. It answers only for lines it fully understands and returns undefined for anything else
// (a quote character, an empty or over-long number, another timestamp spelling, too few or too many columns),
// which the generic decoder in csv.ts then decodes or rejects: both paths give the same row for every line the
// fast path takes, so the fast path never changes what a job computes. The generic decoder's per-column
// dispatch, value array and indexOf calls cost about three times as much per line (bench/README.md).
import type { Field } from '../core/data-types.js';
import type { Row } from '../core/row.js';
import type { CsvSettings } from './format-options.js';
import { scanTimestamp } from './text-values.js';

export type FastCsvDecoder = (text: string) => Row | undefined;

/** Digits an integer may have and still fit its type whatever they are (as text-values' fast path). */
const SAFE_DIGITS: Record<string, number> = { TINYINT: 2, SMALLINT: 4, INT: 9, BIGINT: 15 };
const DECIMALS = new Set(['DOUBLE', 'FLOAT', 'DECIMAL']);
const TIMES = new Set(['TIMESTAMP', 'TIMESTAMP_LTZ', 'DATE']);
const STRINGS = new Set(['STRING', 'VARCHAR', 'CHAR']);
/** Exact powers of ten as doubles (10^22 is the last exact one). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The fast decoder for these settings and columns, or null when the settings need the generic decoder for
 * every line (an escape character, a null literal) or a column's type has no fast conversion.
 */
export function compileCsvFastPath(declared: readonly Field[], fields: readonly Field[], s: CsvSettings): FastCsvDecoder | null {
  if (s.escape !== null || s.nullLiteral !== null || s.delimiter.length !== 1) return null;
  const slotOf = declared.map((d) => fields.findIndex((f) => f.name === d.name));
  const D = s.delimiter.charCodeAt(0);
  const out: string[] = [];
  const line = (l: string) => out.push(l);

  if (fields.some((f) => !declared.some((d) => d.name === f.name))) return null;
  const delim = JSON.stringify(s.delimiter);
  // Columns read as text (skipped or strings) must not hold a quote; converted ones fail on it by themselves.
  const textColumns = declared.some((d, col) => slotOf[col] < 0 || STRINGS.has(d.type.name));
  line('const len = t.length;');
  line('if (len === 0) return undefined;');
  if (textColumns && s.quote !== null) line(`if (t.indexOf(${JSON.stringify(s.quote)}) >= 0) return undefined;`);
  line('let p = 0, c = 0, s = 0, n = 0, k = 0, neg = false, f = 0;');
  if (s.allowComments) line('if (t.charCodeAt(0) === 35) return undefined;');
  // The end of the field starting at p: the next delimiter, or the end of the line.
  const toFieldEnd = `s = p; p = t.indexOf(${delim}, p); if (p < 0) p = len;`;
  for (let col = 0; col < declared.length; col++) {
    const slot = slotOf[col];
    const type = declared[col].type.name;
    const last = col === declared.length - 1;
    // After each column: at the end of the line for the last one, else at a delimiter to step over.
    const end = last ? 'if (p !== len) return undefined;' : `if (p >= len || t.charCodeAt(p) !== ${D}) return undefined;`;
    const next = last ? '' : 'p++;';
    if (slot < 0 || STRINGS.has(type)) {
      line(toFieldEnd);
      if (slot >= 0) line(`const v${slot} = s === 0 && p === len ? t : t.slice(s, p);`);
    } else if (SAFE_DIGITS[type] !== undefined) {
      line('c = t.charCodeAt(p); neg = c === 45; if (neg || c === 43) c = t.charCodeAt(++p);');
      line('s = p; n = 0; while (c >= 48 && c <= 57) { n = n * 10 + (c - 48); c = t.charCodeAt(++p); }');
      line(`if (p === s || p - s > ${SAFE_DIGITS[type]}) return undefined;`);
      line(`const v${slot} = neg ? -n : n;`);
    } else if (DECIMALS.has(type)) {
      // Clinger: at most 15 digits in all, so the digits are an exact integer and n / 10^f rounds once, as Number() does.
      // n counts the digits' value, k the digits, f the digits after the point (-1: no point yet).
      line('c = t.charCodeAt(p); neg = c === 45; if (neg) c = t.charCodeAt(++p);');
      line('n = 0; k = 0; f = -1;');
      line('for (;;) { if (c >= 48 && c <= 57) { n = n * 10 + (c - 48); k++; if (f >= 0) f++; } else if (c === 46 && f < 0) f = 0; else break; c = t.charCodeAt(++p); }');
      line('if (k === 0 || k > 15) return undefined;');
      line(`const v${slot} = (neg ? -n : n) / POW10[f < 0 ? 0 : f];`);
    } else if (TIMES.has(type)) {
      line(toFieldEnd);
      line(`const v${slot} = scanTimestamp(t, s, p); if (v${slot} !== v${slot}) return undefined;`);
    } else if (type === 'BOOLEAN') {
      line(toFieldEnd);
      line(`const v${slot} = p - s === 4 && t.startsWith('true', s) ? true : p - s === 5 && t.startsWith('false', s) ? false : undefined;`);
      line(`if (v${slot} === undefined) return undefined;`);
    } else {
      return null;
    }
    line(end);
    if (next) line(next);
  }
  const props = fields.map((f, i) => `${f.name === '__proto__' ? `[${JSON.stringify(f.name)}]` : JSON.stringify(f.name)}: v${i}`);
  line(`return { ${props.join(', ')} };`);
  const body = `return function fastCsv(t) {\n${out.join('\n')}\n};`;
  return new Function('scanTimestamp', 'POW10', body)(scanTimestamp, POW10) as FastCsvDecoder;
}
