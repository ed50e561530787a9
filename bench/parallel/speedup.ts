// The parallel speed-up of a datagen job and a Kafka job (issue 18.6): `node <bundle> -p 1` and `-p 2` side by
// side, alternating, each run's job time from its log (-p 1: "job started" → "job finished"; -p 2: "all subtasks
// are running" → "job finished", so the subtask threads' start-up is not counted, as Flink's net runtime leaves
// out deployment), its CPU time (the process's user + system, start-up included) and the 1-minute load average
// before it. Prints the medians and the ratios as a markdown table for bench/RESULTS.md.
//   npx tsx bench/parallel/speedup.ts [--rows 20000000] [--kafka-records 1000000] [--runs 3] [--workloads datagen,kafka]
// The Kafka workload reads the bench's clicks topic of 2 partitions on the local broker (filled once if missing).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clicksTopic } from '../lib/kafka.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const rows = Number(arg('rows', '20000000'));
const kafkaRecords = Number(arg('kafka-records', '1000000'));
const runs = Number(arg('runs', '3'));
const workloads = arg('workloads', 'datagen,kafka').split(',');
const brokers = '127.0.0.1:9092';
const root = path.resolve(import.meta.dirname, '../..');

interface Workload { name: string; label: string; records: number; bundle: string }
const all: Workload[] = [];
const compile = (job: string, bundle: string, extra: string[], args: string[]) =>
  execFileSync(process.execPath, [path.join(root, 'bin/sluice.mjs'), 'compile', job, '-o', bundle, ...extra, '--', ...args], { cwd: root, stdio: 'inherit' });
if (workloads.includes('datagen')) {
  const bundle = path.join(root, 'bench/.work/parallel/datagen-count.mjs');
  compile('bench/parallel/datagen-count.ts', bundle, [], ['--rows', String(rows)]);
  all.push({ name: 'datagen', label: 'datagen sequence → COUNT, SUM per id % 1000 → blackhole', records: rows, bundle });
}
if (workloads.includes('kafka')) {
  const topic = await clicksTopic(kafkaRecords, 2, brokers, (s) => console.error(s));
  const bundle = path.join(root, 'bench/.work/parallel/kafka-clicks.mjs');
  compile('bench/parallel/kafka-clicks.ts', bundle, ['--connector', 'kafka'], ['--topic', topic, '--brokers', brokers]);
  all.push({ name: 'kafka', label: `Kafka (${topic}, 2 partitions) → click count per page and 15 s window → blackhole`, records: kafkaRecords, bundle });
}

const load1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const timeOf = (lines: Record<string, unknown>[], msg: string) => lines.find((l) => l.msg === msg)?.time as number | undefined;

interface Run { seconds: number; cpu: number; load: number }

function run(w: Workload, p: number): Run {
  const load = load1();
  // `time` reports the CPU of the process (all its threads); its line is the last of stderr.
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, w.bundle, '-p', String(p)], { env: { ...process.env, SLUICE_LOG_FORMAT: 'json' }, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${w.name} -p ${p} failed: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const start = timeOf(lines, p > 1 ? 'all subtasks are running' : 'job started');
  const end = timeOf(lines, 'job finished');
  if (start === undefined || end === undefined) throw new Error(`${w.name} -p ${p}: no start/end in the log`);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { seconds: (end - start) / 1000, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, load };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`| job | -p 1 (s, median) | -p 2 (s, median) | -p 2 / -p 1 speed | CPU s -p 1 / -p 2 (median) | records | runs | load average (1 min) |
|---|---|---|---|---|---|---|---|`);
for (const w of all) {
  const results: Record<1 | 2, Run[]> = { 1: [], 2: [] };
  for (let i = 0; i < runs; i++) {
    for (const p of [1, 2] as const) {
      const r = run(w, p);
      results[p].push(r);
      console.error(`${w.name} run ${i + 1} -p ${p}: ${r.seconds.toFixed(2)} s, ${r.cpu.toFixed(2)} CPU s (load ${r.load})`);
    }
  }
  const [m1, m2] = [median(results[1].map((r) => r.seconds)), median(results[2].map((r) => r.seconds))];
  const [c1, c2] = [median(results[1].map((r) => r.cpu)), median(results[2].map((r) => r.cpu))];
  const loads = [...results[1], ...results[2]].map((r) => r.load);
  const rate = (s: number) => `${(w.records / s / 1e6).toFixed(2)} M/s`;
  console.log(`| ${w.label} | ${m1.toFixed(2)} (${rate(m1)}) | ${m2.toFixed(2)} (${rate(m2)}) | ${(m1 / m2).toFixed(2)}× | ${c1.toFixed(2)} / ${c2.toFixed(2)} | ${w.records} | ${runs} each, alternating | ${Math.min(...loads)}–${Math.max(...loads)} on ${os.cpus().length} cores |`);
}
