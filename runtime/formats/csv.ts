// Flink's csv format: one record per line, columns by position of the declared schema, no header.
// The decoder walks the line once and converts only the columns the query reads (projection pushdown).
// Plain records are decoded from their bytes by code generated for the table's columns (csv-fast-path.ts);
// the generic decoder here takes every record that one declines, as text (quotes, escapes, NULLs, other
// spellings, malformed records).
// Deviations from Flink, all in favour of reading what the encoder writes: an empty unquoted field of a
// non-string column is NULL (Flink fails), and a malformed record is skipped whole rather than having its
// bad fields set to NULL (SPEC §6: skipped and counted). A string column's empty field is '' as in Flink, so
// keep NULLs in strings by setting csv.null-literal; a field equal to the null literal is NULL only unquoted.
import type { Field } from '../core/data-types.js';
import { rowBuilder, type Row } from '../core/row.js';
import { formatValue } from '../core/values.js';
import { bytesDecoder, columnReason, rejectRecord, type BytesDecoder, type Decoder, type Encoder } from './codec.js';
import { compileCsvFastPath } from './csv-fast-path.js';
import { csvSettings } from './format-options.js';
import { Conv, convertText, convOf, textColumn } from './text-values.js';

const HASH = 35; // '#'

export function createCsvDecoder(declared: readonly Field[], fields: readonly Field[], options: Record<string, string>): BytesDecoder {
  return bytesDecoder(createGenericCsvDecoder(declared, fields, options), compileCsvFastPath(declared, fields, csvSettings(options)));
}

/** The decoder for every line: the reference the fast path must agree with (tests compare the two). */
export function createGenericCsvDecoder(declared: readonly Field[], fields: readonly Field[], options: Record<string, string>): Decoder {
  const s = csvSettings(options);
  const width = declared.length;
  // Output slot of each declared position, -1 when the query does not read it.
  const slotOf = new Int32Array(width).fill(-1);
  for (let i = 0; i < fields.length; i++) {
    const pos = declared.findIndex((d) => d.name === fields[i].name);
    if (pos < 0) throw new Error(`csv: column '${fields[i].name}' is not among the declared columns`);
    slotOf[pos] = i;
  }
  const names = fields.map((f) => f.name);
  const columns = fields.map((f) => textColumn(f.type));
  const values: unknown[] = new Array(fields.length).fill(null);
  const build = rowBuilder(names);
  const delimiter = s.delimiter.charCodeAt(0);
  const quote = s.quote === null ? -1 : s.quote.charCodeAt(0);
  const escape = s.escape === null ? -1 : s.escape.charCodeAt(0);
  const nullLiteral = s.nullLiteral;

  // A quoted or escaped field's text, unescaped; set by scanSpecial together with the index after the field.
  let fieldText = '';
  let fieldEnd = 0;

  /** Scans a field that may be quoted or contain escapes; returns true when it was quoted. */
  function scanSpecial(text: string, p: number): boolean {
    const len = text.length;
    const quoted = text.charCodeAt(p) === quote;
    let i = quoted ? p + 1 : p;
    let seg = i;
    let out = '';
    for (;;) {
      if (i >= len) {
        if (quoted) throw new Error('unterminated quoted field');
        break;
      }
      const c = text.charCodeAt(i);
      if (quoted && c === quote) {
        if (text.charCodeAt(i + 1) === quote) { out += text.slice(seg, i + 1); i += 2; seg = i; continue; }
        out += text.slice(seg, i);
        i++;
        if (i < len && text.charCodeAt(i) !== delimiter) throw new Error(`unexpected '${text[i]}' after a closing quote`);
        fieldText = out;
        fieldEnd = i;
        return true;
      }
      if (c === escape) {
        if (i + 1 >= len) throw new Error('escape character at the end of the line');
        out += text.slice(seg, i) + text[i + 1];
        i += 2;
        seg = i;
        continue;
      }
      if (!quoted && c === delimiter) break;
      i++;
    }
    fieldText = out + text.slice(seg, i);
    fieldEnd = i;
    return false;
  }

  return (text: string, origin: () => string): Row | null | undefined => {
    const len = text.length;
    if (len === 0 || (s.allowComments && text.charCodeAt(0) === HASH)) return undefined;
    const special = (quote >= 0 && text.indexOf(s.quote!) >= 0) || (escape >= 0 && text.indexOf(s.escape!) >= 0);
    let col = 0;
    let p = 0;
    try {
      for (;;) {
        let str = text;
        let start = p;
        let end: number;
        let quoted = false;
        if (special && (text.charCodeAt(p) === quote || escape >= 0)) {
          quoted = scanSpecial(text, p);
          str = fieldText;
          start = 0;
          end = fieldText.length;
          p = fieldEnd;
        } else {
          end = text.indexOf(s.delimiter, p);
          if (end < 0) end = len;
          p = end;
        }
        const slot = col < width ? slotOf[col] : -1;
        if (slot >= 0) {
          const column = columns[slot];
          if (!quoted && ((start === end && column.conv !== Conv.STRING) || (nullLiteral !== null && end - start === nullLiteral.length && str.startsWith(nullLiteral, start)))) {
            values[slot] = null;
          } else {
            values[slot] = convertText(column, str, start, end);
          }
        }
        col++;
        if (p >= len) break;
        p++; // past the delimiter; a delimiter at the very end opens one more (empty) field
      }
    } catch (e) {
      return rejectRecord(s.ignoreParseErrors, columnReason(col < width ? declared[col].name : `#${col + 1}`, e), origin);
    }
    if (col !== width) return rejectRecord(s.ignoreParseErrors, `expected ${width} columns but found ${col}`, origin);
    return build(values);
  };
}

export function createCsvEncoder(schema: readonly Field[], options: Record<string, string>): Encoder {
  const s = csvSettings(options);
  const names = schema.map((f) => f.name);
  const types = schema.map((f) => f.type);
  const strings = types.map((t) => convOf(t) === Conv.STRING);
  const nullText = s.nullLiteral ?? '';
  const escapeRe = (c: string) => c.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  const needsQuotes = s.quote === null ? null : new RegExp(`[${escapeRe(s.delimiter)}${escapeRe(s.quote)}\\r\\n]`);
  const doubled = s.quote === null ? '' : s.quote + s.quote;

  const field = (text: string, first: boolean): string => {
    if (needsQuotes === null) return text;
    if (needsQuotes.test(text) || text === s.nullLiteral || (first && s.allowComments && text.startsWith('#'))) {
      return s.quote! + text.replaceAll(s.quote!, doubled) + s.quote!;
    }
    return text;
  };

  return (row: Row): string => {
    let line = '';
    for (let i = 0; i < names.length; i++) {
      if (i > 0) line += s.delimiter;
      const v = row[names[i]];
      if (v === null || v === undefined) { line += nullText; continue; }
      line += field(strings[i] ? String(v) : formatValue(v, types[i]), i === 0);
    }
    return line;
  };
}
