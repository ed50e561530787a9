// Input files for the parallel tests' windows job (fixtures/sequence-job.ts) and the expected windows, computed
// independently of sluice, and the job's output read back.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILES = 6;
const PER_FILE = 6000;

/** Click i of file f: at (i·6 + f)·50 ms after midnight, on page (i·7 + f) mod 13, n = i mod 10. */
export function writeInput(dir: string): string[] {
  const expected = new Map<string, { c: number; s: number }>();
  for (let f = 0; f < FILES; f++) {
    const lines: string[] = [];
    for (let i = 0; i < PER_FILE; i++) {
      const t = (i * 6 + f) * 50;
      const ts = new Date(Date.UTC(2024, 0, 1) + t).toISOString().replace('T', ' ').replace('Z', '');
      const page = `page-${(i * 7 + f) % 13}`;
      lines.push(`${ts},${page},${i % 10}`);
      const start = new Date(Date.UTC(2024, 0, 1) + t - (t % 60000)).toISOString().replace('T', ' ').replace('Z', '');
      const key = `${start},${page}`;
      const e = expected.get(key) ?? { c: 0, s: 0 };
      e.c++; e.s += i % 10;
      expected.set(key, e);
    }
    writeFileSync(path.join(dir, `clicks-${f}.csv`), lines.join('\n') + '\n');
  }
  return [...expected].map(([k, e]) => `${k},${e.c},${e.s}`).sort();
}

export const readOutput = (dir: string) => readdirSync(dir).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l !== '')).sort();

