// Times `sluice compile` of a job as a user runs it (a new process each time): without the type check
// (SLUICE_TYPECHECK=0), checked with the job unchanged since its last check, with the job edited, and with no
// cache (the first compile after installing or changing sluice): CPU seconds, median of --runs (default 5).
//   npx tsx bench/compile-time.ts [jobs/spend-report.ts] [--runs 5]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 5);
const job = args.find((a) => a.endsWith('.ts')) ?? 'jobs/spend-report.ts';
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-compile-')), 'x.mjs');
const cache = path.resolve('node_modules/.cache/sluice');

/** CPU seconds (user + system) of one compile: unlike wall time, hardly moved by other load on the machine. */
function once(env: Record<string, string>): number {
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, 'bin/sluice.mjs', 'compile', job, '-o', out], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const [, user, sys] = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr)!;
  return Number(user) + Number(sys);
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const series = (setup: () => void, env: Record<string, string>) => median(Array.from({ length: runs }, () => { setup(); return once(env); }));

const cold = series(() => fs.rmSync(cache, { recursive: true, force: true }), {});
const warm = series(() => {}, {});
// The API's declarations cached, the job edited (its mtime moves): the job is checked again.
const edited = series(() => { const now = new Date(); fs.utimesSync(job, now, now); }, {});
const off = series(() => {}, { SLUICE_TYPECHECK: '0' });
console.log(`${job}, median of ${runs}, CPU seconds: no check ${off.toFixed(2)}, job unchanged ${warm.toFixed(2)}, job edited ${edited.toFixed(2)}, no cache ${cold.toFixed(2)}`);
