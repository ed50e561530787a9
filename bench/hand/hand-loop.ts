// What the hand-written loops share: reading the CSV file in large chunks of bytes (each chunk ends at a line
// end, so a loop never sees half a line), reading fields straight from the bytes, and the command line:
//   node hand/<workload>.mjs --input FILE.csv --output ANSWER.csv --rows N
// which prints one JSON line (the harness's result format) after writing the answer with capture.ts.
// These loops are the practical limit for each workload in TypeScript: no framework, no row objects, only the
// fields the answer needs, numeric keys. They still stream (windows fire on the watermark, as the engines do).
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Checksum, writeAnswer } from '../lib/capture.js';

const CHUNK = 4 << 20;
const NL = 10;
const COMMA = 44;

/**
 * Calls body(buf, end) for consecutive pieces of the file; buf[0, end) holds whole lines only. Returns when the
 * first piece was read (epoch ms; -1 for an empty file): the first result time of a loop whose answer is final.
 */
export function forEachChunk(file: string, body: (buf: Buffer, end: number) => void): number {
  let first = -1;
  for (const [buf, end] of chunks(file)) {
    if (first < 0) first = Date.now();
    body(buf, end);
  }
  return first;
}

/**
 * The file's consecutive pieces as [buf, end]: buf[0, end) holds whole lines only, and is valid until the next
 * piece is asked for. A loop over two inputs (a join) takes pieces of each in turn, as the engines' two sources
 * interleave.
 */
export function* chunks(file: string): Generator<[Buffer, number]> {
  const fd = fs.openSync(file, 'r');
  let buf = Buffer.allocUnsafe(CHUNK);
  let carry = 0;
  try {
    for (;;) {
      if (carry === buf.length) { const bigger = Buffer.allocUnsafe(buf.length * 2); buf.copy(bigger, 0, 0, carry); buf = bigger; }
      const n = fs.readSync(fd, buf, carry, buf.length - carry, null);
      const filled = carry + n;
      if (n === 0) {
        if (filled > 0) { buf[filled] = NL; yield [buf, filled + 1]; } // a last line without its newline
        return;
      }
      const end = buf.lastIndexOf(NL, filled - 1) + 1;
      if (end > 0) yield [buf, end];
      carry = filled - end;
      buf.copy(buf, 0, end, filled);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Two files' pieces in turn (one of each while both last, then the rest of the longer), each to its own body:
 * how a loop joining two streams sees them, neither assumed complete before the other.
 */
export function interleaveChunks(files: [string, string], bodies: [(buf: Buffer, end: number) => void, (buf: Buffer, end: number) => void]): void {
  const its = [chunks(files[0]), chunks(files[1])];
  const done = [false, false];
  while (!done[0] || !done[1]) {
    for (let k = 0; k < 2; k++) {
      if (done[k]) continue;
      const r = its[k].next();
      if (r.done) done[k] = true;
      else bodies[k](r.value[0], r.value[1]);
    }
  }
}

/** Index just past the next comma or line end from i (skips a field). */
export function skipField(buf: Buffer, i: number): number {
  let c = buf[i];
  while (c !== COMMA && c !== NL) c = buf[++i];
  return i + 1;
}

/** Where the field after the one intField/decimalField just read starts (bundled, this is a plain variable). */
export let next = 0;

/** A decimal integer field at i; sets `next`. */
export function intField(buf: Buffer, i: number): number {
  const negative = buf[i] === 45;
  if (negative) i++;
  let n = 0;
  let c = buf[i];
  while (c !== COMMA && c !== NL) { n = n * 10 + c - 48; c = buf[++i]; }
  next = i + 1;
  return negative ? -n : n;
}

/**
 * A DOUBLE field written as plain digits with an optional fraction (1109.50): digits / 10^f, one correctly
 * rounded division of two exact integers, which is the double nearest the decimal value, as parseFloat gives.
 * Sets `next`.
 */
export function decimalField(buf: Buffer, i: number): number {
  const start = i;
  const negative = buf[i] === 45;
  if (negative) i++;
  let n = 0;
  let scale = 1;
  let c = buf[i];
  while (c !== COMMA && c !== NL && c !== 46) { n = n * 10 + c - 48; c = buf[++i]; }
  if (c === 46) {
    c = buf[++i];
    while (c !== COMMA && c !== NL) { n = n * 10 + c - 48; scale *= 10; c = buf[++i]; }
  }
  next = i + 1;
  if (n > Number.MAX_SAFE_INTEGER) return Number(buf.latin1Slice(start, i));
  return negative ? -n / scale : n / scale;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

const d2 = (buf: Buffer, i: number) => (buf[i] - 48) * 10 + buf[i + 1] - 48;

/** 'yyyy-MM-dd HH:mm:ss.SSS' at i as epoch ms (UTC wall clock); the caller moves on by 24 bytes. */
export function timestampAt(buf: Buffer, i: number): number {
  const y = d2(buf, i) * 100 + d2(buf, i + 2);
  const days = daysFromCivil(y, d2(buf, i + 5), d2(buf, i + 8));
  const ms = (buf[i + 20] - 48) * 100 + d2(buf, i + 21);
  return days * 86_400_000 + ((d2(buf, i + 11) * 60 + d2(buf, i + 14)) * 60 + d2(buf, i + 17)) * 1000 + ms;
}

/** What a loop reports: the answer's first row time and the row count (for the check that all were read). */
export interface LoopResult {
  firstResultEpochMs: number;
  rowsRead: number;
}

/** Writes a loop's final rows (one per key) as an upsert answer of `rows` input rows, and reports them. */
export function finalAnswer(output: string, header: string, lines: string[], first: number, rows: number): LoopResult {
  writeAnswer(output, header, lines, { mode: 'upsert', firstRecordEpochMs: first, lastRecordEpochMs: Date.now(), records: rows });
  return { firstResultEpochMs: first, rowsRead: rows };
}

/** Writes a loop's checksum of its output rows as the answer, and reports `rows` input rows read. */
export function checksumAnswer(output: string, cs: Checksum, first: number, rows: number): LoopResult {
  writeAnswer(output, cs.header(), [cs.line()], { mode: 'checksum', firstRecordEpochMs: first, lastRecordEpochMs: Date.now(), records: cs.count });
  return { firstResultEpochMs: first, rowsRead: rows };
}

/** The command line of a hand-written loop: runs it, prints the harness's JSON line. */
export function handMain(workload: string, loop: (input: string, output: string) => LoopResult): void {
  const args = new Map<string, string>();
  for (let i = 2; i + 1 < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
  const input = args.get('input');
  const output = args.get('output');
  if (!input || !output) throw new Error('usage: --input FILE.csv --output ANSWER.csv [--rows N]');
  const t0 = performance.now();
  const r = loop(input, output);
  const seconds = (performance.now() - t0) / 1000;
  const rows = Number(args.get('rows') ?? r.rowsRead);
  if (r.rowsRead !== rows) throw new Error(`read ${r.rowsRead} rows, expected ${rows}`);
  console.log(JSON.stringify({
    engine: 'hand', workload, rows, seconds: +seconds.toFixed(3),
    firstResultSeconds: r.firstResultEpochMs < 0 ? null : +((r.firstResultEpochMs - performance.timeOrigin) / 1000).toFixed(3),
    rowsPerSecond: Math.round(rows / seconds), nodeVersion: process.version,
  }));
}

/** Small ids for the distinct byte strings of a column (page names): a hash of the bytes, checked byte by byte. */
export class Interner {
  readonly names: string[] = [];
  private readonly bytes: Uint8Array[] = [];
  private readonly byHash = new Map<number, number[]>();

  /** The id of buf[start, end). */
  id(buf: Buffer, start: number, end: number): number {
    let h = end - start;
    for (let i = start; i < end; i++) h = (Math.imul(h, 31) + buf[i]) | 0;
    const ids = this.byHash.get(h);
    if (ids !== undefined) {
      for (let k = 0; k < ids.length; k++) if (this.same(ids[k], buf, start, end)) return ids[k];
    }
    const id = this.names.length;
    this.names.push(buf.toString('utf8', start, end));
    this.bytes.push(Uint8Array.prototype.slice.call(buf, start, end));
    if (ids === undefined) this.byHash.set(h, [id]);
    else ids.push(id);
    return id;
  }

  private same(id: number, buf: Buffer, start: number, end: number): boolean {
    const b = this.bytes[id];
    if (b.length !== end - start) return false;
    for (let i = 0; i < b.length; i++) if (b[i] !== buf[start + i]) return false;
    return true;
  }
}

/** A row of the joins' dimension table, persons.csv (id, name, city, state). */
export interface Person { id: number; name: string; city: string; state: string }

/** Calls body for each person in buf[0, end) (18,384 lines in all, so strings are made for them). */
export function forEachPerson(buf: Buffer, end: number, body: (p: Person) => void): void {
  let i = 0;
  while (i < end) {
    const id = intField(buf, i);
    const nameEnd = commaFrom(buf, next);
    const cityEnd = commaFrom(buf, nameEnd + 1);
    const stateEnd = buf.indexOf(NL, cityEnd + 1);
    body({ id, name: buf.latin1Slice(next, nameEnd), city: buf.latin1Slice(nameEnd + 1, cityEnd), state: buf.latin1Slice(cityEnd + 1, stateEnd) });
    i = stateEnd + 1;
  }
}

/** Index of the next comma from i. */
export function commaFrom(buf: Buffer, i: number): number {
  while (buf[i] !== COMMA) i++;
  return i;
}
