// The filesystem source's line reader: chunks of whole lines in reused buffers with read-ahead, lines longer
// than a buffer, a byte order mark, CRLF, a last line without newline, multi-byte characters across chunk
// borders, and byte offsets that reopen the file exactly at a line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineReader } from '../../runtime/connectors/filesystem/line-reader.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sluice-lines-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Every line from the reader (without '\r\n' or '\n') with the byte offset it starts at. */
async function readLines(path: string, offset = 0): Promise<{ line: string; offset: number }[]> {
  const reader = await LineReader.open(path, offset);
  const out: { line: string; offset: number }[] = [];
  for (;;) {
    if (!reader.hasLine()) {
      if (await reader.fill()) continue;
      break;
    }
    const at = reader.offset();
    const nl = reader.chunk.indexOf(10, reader.pos);
    expect(nl).toBeGreaterThanOrEqual(reader.pos); // a chunk holds whole lines only
    const end = nl > reader.pos && reader.chunk[nl - 1] === 13 ? nl - 1 : nl;
    out.push({ line: reader.chunk.toString('utf8', reader.pos, end), offset: at });
    reader.pos = nl + 1;
  }
  await reader.close();
  return out;
}

describe('line reader', () => {
  it('returns every line of a file of several chunks, whatever their lengths and endings', async () => {
    let seed = 7;
    const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) lines.push(`${i},${'é東x'.repeat(rnd(40))}`);
    lines.splice(30_000, 0, 'L'.repeat(3 << 20)); // longer than both buffers
    lines.splice(100, 0, '');
    const text = lines.map((l, i) => l + (i % 3 === 0 ? '\r\n' : '\n')).join('').replace(/\r?\n$/, ''); // no final newline
    const path = join(dir, 'mixed.csv');
    await writeFile(path, '\ufeff' + text);
    const got = await readLines(path);
    expect(got.map((g) => g.line)).toEqual(lines);
    expect(got[0].offset).toBe(3); // after the byte order mark

    // Each line's offset reopens the file right there.
    for (const k of [1, 101, 29_999, 30_000, 30_001, lines.length - 1]) {
      const rest = await readLines(path, got[k].offset);
      expect(rest.map((g) => g.line)).toEqual(lines.slice(k));
      expect(rest[0].offset).toBe(got[k].offset);
    }
  });

  it('reads an empty file as no lines and a file of one unterminated line as that line', async () => {
    await writeFile(join(dir, 'empty.csv'), '');
    await writeFile(join(dir, 'one.csv'), 'only');
    expect(await readLines(join(dir, 'empty.csv'))).toEqual([]);
    expect(await readLines(join(dir, 'one.csv'))).toEqual([{ line: 'only', offset: 0 }]);
  });
});
