// docs/udfs.md's table and aggregate function jobs (the `// job:` blocks) as a user follows them: each is
// compiled to a bundle that runs alone in an empty directory (the bundle carries the functions, also one called
// only in an OVER window) and prints the rows computed here.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, compileAndRunAlone } from '../helpers/cli.js';
import { tempDir, writeCsv } from '../helpers/tables.js';

const page = fs.readFileSync(path.join(ROOT, 'docs/udfs.md'), 'utf8');
const jobs = new Map([...page.matchAll(/```ts\n\/\/ job: (\S+)\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]));
const jobsDir = fs.mkdtempSync(path.join(ROOT, '.udf-docs-jobs-'));
afterAll(() => fs.rmSync(jobsDir, { recursive: true, force: true }));

/** Compiles a job of the page with `--input <csv>`, runs its bundle alone, and returns what it printed. */
function runAlone(name: string, csv: string): string[] {
  const job = path.join(jobsDir, name);
  fs.writeFileSync(job, jobs.get(name)!);
  return compileAndRunAlone(job, ['--input', csv]);
}

describe('docs/udfs.md table and aggregate functions', { timeout: 180_000 }, () => {
  it('has the three jobs', () => {
    expect([...jobs.keys()]).toEqual(['words-lateral.ts', 'weighted-avg.ts', 'moving-mean.ts']);
  });

  it('words-lateral.ts: LATERAL TABLE of a @udtf class, in a bundle alone', () => {
    const lines = ['to be or not', 'x', '', 'a  b'];
    const csv = writeCsv(lines.map((l, i) => [i, l]), path.join(tempDir(), 'lines.csv'));
    const want = lines.flatMap((l, i) => l.split(' ').filter(Boolean).map((w) => `+I[${i}, ${w}, ${w.length}.0]`));
    expect(runAlone('words-lateral.ts', csv).sort()).toEqual(want.sort());
  });

  it('weighted-avg.ts: a @udaf in GROUP BY, its updating result ending at each item\'s weighted average', () => {
    const orders = Array.from({ length: 40 }, (_, i) => [`i${i % 3}`, (i * 7) % 11 + 0.5, i % 4]);
    const csv = writeCsv(orders, path.join(tempDir(), 'orders.csv'));
    const last = new Map<string, string>();
    for (const line of runAlone('weighted-avg.ts', csv)) {
      const m = /^([+-][IUD])\[(\w+), (.+)\]$/.exec(line)!;
      if (m[1] === '+I' || m[1] === '+U') last.set(m[2], m[3]);
    }
    for (const item of ['i0', 'i1', 'i2']) {
      const mine = orders.filter((o) => o[0] === item) as [string, number, number][];
      const weight = mine.reduce((a, o) => a + o[2], 0);
      const want = weight === 0 ? null : mine.reduce((a, o) => a + o[1] * o[2], 0) / weight;
      expect(Number(last.get(item))).toBeCloseTo(want!, 12);
    }
  });

  it('moving-mean.ts: a @udaf over a ROWS window, plain and DISTINCT, equal to the means of each row\'s last three', () => {
    const start = Date.UTC(2026, 0, 1);
    // Prices that repeat within a symbol's last three, so that DISTINCT matters.
    const ticks = Array.from({ length: 30 }, (_, i) => [i, `s${i % 3}`, (Math.floor(i / 3) % 2) + (i % 5 === 0 ? 1 : 0) + 0.5, new Date(start + i * 1000)] as [number, string, number, Date]);
    const csv = writeCsv(ticks, path.join(tempDir(), 'ticks.csv'));
    // As the print sink writes a DOUBLE (Java's text: a whole one with .0).
    const mean = (xs: number[]) => { const m = xs.reduce((a, x) => a + x, 0) / xs.length; return Number.isInteger(m) ? m.toFixed(1) : String(m); };
    const want = ticks.map(([id, sym], i) => {
      const last3 = ticks.slice(0, i + 1).filter((t) => t[1] === sym).slice(-3).map((t) => t[2]);
      return `+I[${id}, ${sym}, ${mean(last3)}, ${mean([...new Set(last3)])}]`;
    });
    expect(want.filter((l) => { const [, , a, b] = l.slice(3, -1).split(', '); return a !== b; }).length).toBeGreaterThan(5);
    expect(runAlone('moving-mean.ts', csv).sort()).toEqual(want.sort());
  });
});
