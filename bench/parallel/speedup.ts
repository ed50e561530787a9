// The parallel speed-up of one datagen job (issue 18.6): `node <bundle> -p 1` and `-p 2` side by side,
// alternating, each run's job time from its log (-p 1: "job started" → "job finished"; -p 2: "all subtasks are
// running" → "job finished", so the subtask threads' start-up is not counted, as Flink's net runtime leaves out
// deployment), with the 1-minute load average before each run. Prints the medians and the ratio as a markdown
// section for bench/RESULTS.md.
//   npx tsx bench/parallel/speedup.ts [--rows 20000000] [--runs 3]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const rows = Number(arg('rows', '20000000'));
const runs = Number(arg('runs', '3'));
const root = path.resolve(import.meta.dirname, '../..');
const bundle = path.join(root, 'bench/.work/parallel/datagen-count.mjs');
execFileSync(process.execPath, [path.join(root, 'bin/sluice.mjs'), 'compile', 'bench/parallel/datagen-count.ts', '-o', bundle, '--', '--rows', String(rows)], { cwd: root, stdio: 'inherit' });

const load1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const timeOf = (lines: Record<string, unknown>[], msg: string) => lines.find((l) => l.msg === msg)?.time as number | undefined;

function run(p: number): { seconds: number; load: number } {
  const load = load1();
  const r = spawnSync(process.execPath, [bundle, '-p', String(p)], { env: { ...process.env, SLUICE_LOG_FORMAT: 'json' }, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`-p ${p} failed: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const start = timeOf(lines, p > 1 ? 'all subtasks are running' : 'job started');
  const end = timeOf(lines, 'job finished');
  if (start === undefined || end === undefined) throw new Error(`-p ${p}: no start/end in the log`);
  return { seconds: (end - start) / 1000, load };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results: Record<1 | 2, { seconds: number; load: number }[]> = { 1: [], 2: [] };
for (let i = 0; i < runs; i++) {
  for (const p of [1, 2] as const) {
    const r = run(p);
    results[p].push(r);
    console.error(`run ${i + 1} -p ${p}: ${r.seconds.toFixed(2)} s (load ${r.load})`);
  }
}
const m1 = median(results[1].map((r) => r.seconds));
const m2 = median(results[2].map((r) => r.seconds));
const loads = [...results[1], ...results[2]].map((r) => r.load);
console.log(`| job | -p 1 (s, median) | -p 2 (s, median) | -p 2 / -p 1 speed | rows | runs | load average (1 min) |
|---|---|---|---|---|---|---|
| datagen sequence → COUNT, SUM per id % 1000 → blackhole | ${m1.toFixed(2)} (${(rows / m1 / 1e6).toFixed(2)} M rows/s) | ${m2.toFixed(2)} (${(rows / m2 / 1e6).toFixed(2)} M rows/s) | ${(m1 / m2).toFixed(2)}× | ${rows} | ${runs} each, alternating | ${Math.min(...loads)}–${Math.max(...loads)} on ${os.cpus().length} cores |`);
