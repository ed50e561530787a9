// Turns the runs into bench/RESULTS.md: medians per workload and engine, the sluice/peer ratios, the answer
// check, and the targets with their verdicts. Medians are of each measure separately (the machine is shared).
import type { EngineName } from './engines.js';
import { ENGINES } from './engines.js';
import { KAFKA_ENGINES, type KafkaResult } from './kafka.js';
import { WORKLOADS } from './workloads.js';

export interface RunResult {
  engine: EngineName;
  workload: string;
  rows: number;
  rep: number;
  ok: boolean;
  error?: string;
  seconds?: number;
  rowsPerSecond?: number;
  firstResultSeconds?: number | null;
  peakRssMb?: number;
  /** CPU seconds of the process tree inside the job's time window. */
  jobCpuSeconds?: number;
  /** Rows per CPU second inside the job window: throughput per core. */
  rowsPerCpuSecond?: number;
  wallSeconds?: number;
  cpuSeconds?: number;
  answerMatches?: boolean;
  loadAvg1?: number;
  versions?: Record<string, string>;
  when: string;
  /** The sampler's [ms since start, CPU ms, RSS kB] (kept in the JSON lines so CPU windows can be recomputed). */
  samples?: [number, number, number][];
}

export interface Context {
  rows: number;
  repeat: number;
  date: string;
  machine: string;
  versions: string;
  command: string;
  notes: string[];
}

export function median(xs: number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

type Measure = 'rowsPerSecond' | 'firstResultSeconds' | 'peakRssMb' | 'rowsPerCpuSecond' | 'seconds';

/** Median of one measure over the successful runs of an engine on a workload. */
export function med(runs: RunResult[], engine: EngineName, workload: string, m: Measure): number {
  return median(runs.filter((r) => r.ok && r.engine === engine && r.workload === workload).map((r) => (r[m] ?? NaN) as number));
}

const mrows = (x: number) => (Number.isFinite(x) ? (x / 1e6).toFixed(x < 1e6 ? 3 : 2) : '–');
const secs = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 1 ? 3 : 2) : '–');
const mb = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : '–');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(a / b < 10 ? 2 : 1)}×` : '–');

function answers(runs: RunResult[], workload: string): string {
  const mine = runs.filter((r) => r.workload === workload);
  const failed = mine.filter((r) => !r.ok);
  const differ = mine.filter((r) => r.ok && r.answerMatches === false);
  const engines = new Set(mine.filter((r) => r.ok).map((r) => r.engine));
  const parts: string[] = [];
  if (differ.length) parts.push(`**differs: ${[...new Set(differ.map((r) => r.engine))].join(', ')}**`);
  if (failed.length) parts.push(`**failed: ${[...new Set(failed.map((r) => r.engine))].join(', ')}**`);
  return parts.length ? parts.join('; ') : `identical (${engines.size} engines)`;
}

/** The Kafka section: medians per row, per core, and per core against its peer (Flink Java, or the JVM client). */
function renderKafka(results: KafkaResult[], skipped: string | null, repeat: number): string[] {
  const partitions = results[0]?.partitions ?? 1;
  const head = [`## Kafka (real broker on this machine, ${partitions === 1 ? 'one partition' : `${partitions} partitions`})`, ''];
  if (skipped !== null) return [...head, `Not measured: ${skipped}.`, ''];
  if (results.length === 0) return [];
  const n = results[0].records;
  const m = (e: string, k: 'recordsPerSecond' | 'recordsPerCpuSecond' | 'firstResultSeconds' | 'peakRssMb') => median(results.filter((r) => r.ok && r.engine === e).map((r) => r[k] ?? NaN));
  const rows = KAFKA_ENGINES.filter((k) => results.some((r) => r.engine === k.name)).map((k) => {
    const mine = results.filter((r) => r.engine === k.name);
    const check = mine.some((r) => !r.ok) ? '**failed**' : mine.some((r) => r.answerMatches === false) ? '**differs**' : mine.some((r) => r.answerMatches) ? 'identical' : '–';
    const perCore = m(k.name, 'recordsPerCpuSecond');
    return `| ${k.label} | ${mrows(m(k.name, 'recordsPerSecond'))} | ${mrows(perCore)} | ${Number.isFinite(perCore) ? (1e6 / perCore).toFixed(2) : '–'} | ${k.peer ? `${ratio(perCore, m(k.peer, 'recordsPerCpuSecond'))} | ${ratio(m(k.name, 'recordsPerSecond'), m(k.peer, 'recordsPerSecond'))}` : '– | –'} | ${secs(m(k.name, 'firstResultSeconds'))} | ${mb(m(k.name, 'peakRssMb'))} | ${check} |`;
  });
  return [
    ...head,
    `${n.toLocaleString('en')} bids (the q0 input's lines) and ${n.toLocaleString('en')} clicks in ${partitions === 1 ? 'one-partition topics' : `topics of ${partitions} partitions (line i in partition i % ${partitions}; output topics alike)`}; medians of ${repeat} run(s); the 1-minute load average at each run's start is given below the table. "Per core" is input records per CPU second of the whole process tree inside the job's window (sluice: from its 'job started' line to its exit; Flink Java: its net runtime; the clients alone: first to last record); "vs peer" divides by the row's peer: Flink Java for the jobs, the JVM client for the clients. Records/s: reads and q1 from the first record to the last (Flink q1 and sluice q1 by the output records' timestamps), the click count over the job's time (Flink: net runtime; sluice: 'job started' to its last window). Answers against the hand-written loops over the same lines: checksums; the click count's window rows (Flink's bounded source closes every window, sluice's unbounded one those its watermark passed, checked each once and exact).`,
    '',
    '| run | M records/s | M records per CPU s | CPU µs per record | per core vs peer | records/s vs peer | first record (s) | peak RSS (MB) | answer |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...loadLine(results),
    ...kafkaTargets((e) => m(e, 'recordsPerCpuSecond'), (e) => m(e, 'recordsPerSecond')),
  ];
}

/** The load average at each run's start, per row: figures taken at a load above 4 are not speed results. */
function loadLine(results: KafkaResult[]): string[] {
  const loads = KAFKA_ENGINES.filter((k) => results.some((r) => r.engine === k.name))
    .map((k) => `${k.name} ${results.filter((r) => r.engine === k.name).map((r) => r.loadAvg1?.toFixed(1) ?? '?').join('/')}`);
  const all = results.map((r) => r.loadAvg1 ?? NaN).filter(Number.isFinite);
  return [`1-minute load average at each run's start (${Math.min(...all).toFixed(1)}–${Math.max(...all).toFixed(1)}): ${loads.join('; ')}.`, ''];
}

/** Issue 18.6's targets for the Kafka path, from the per-core and records/s medians. */
function kafkaTargets(perCore: (e: string) => number, rate: (e: string) => number): string[] {
  const lines: string[] = [];
  const check = (title: string, value: number, ok: (v: number) => boolean) => {
    if (Number.isFinite(value)) lines.push(`- ${ok(value) ? 'met' : '**missed**'}: ${title} — ${value.toFixed(2)}×`);
  };
  check('Kafka → Kafka (q1) ≥ 2× Flink Java per core', perCore('sluice-kafka-kafka') / perCore('flink-kafka-kafka'), (v) => v >= 2);
  check('click count Kafka → Kafka ≥ 2× Flink Java per core', perCore('sluice-clicks-kafka') / perCore('flink-clicks-kafka'), (v) => v >= 2);
  check("the write path's CPU per record ≤ 1.5× the JVM producer's (sluice's producer alone / Java's)", perCore('java-produce') / perCore('sluice-produce'), (v) => v <= 1.5);
  check('Kafka reads ≥ 3× Flink Java per core (q0)', perCore('sluice-kafka-blackhole') / perCore('flink-kafka-blackhole'), (v) => v >= 3);
  // Against the faster of Flink's parallelism 1 and 2 runs on the same topics.
  const flinkBest = (e: string) => Math.max(...[rate(e), rate(`${e}-p2`)].filter(Number.isFinite));
  check("Kafka → Kafka (q1) at -p 2 ≥ 1.5× Flink Java's records/s (the faster of its parallelism 1 and 2)", rate('sluice-kafka-kafka-p2') / flinkBest('flink-kafka-kafka'), (v) => v >= 1.5);
  check("click count Kafka → Kafka at -p 2 ≥ 1.5× Flink Java's records/s (the faster of its parallelism 1 and 2)", rate('sluice-clicks-kafka-p2') / flinkBest('flink-clicks-kafka'), (v) => v >= 1.5);
  check('Kafka → Kafka (q1) -p 2 ≥ 1.6× -p 1 (records/s)', rate('sluice-kafka-kafka-p2') / rate('sluice-kafka-kafka'), (v) => v >= 1.6);
  check('click count Kafka → Kafka -p 2 ≥ 1.6× -p 1 (records/s)', rate('sluice-clicks-kafka-p2') / rate('sluice-clicks-kafka'), (v) => v >= 1.6);
  return lines.length ? ['Targets (issue 18.6):', '', ...lines, ''] : [];
}

export function renderResults(runs: RunResult[], ctx: Context, engines: EngineName[], targets: string[], kafka: { results: KafkaResult[]; skipped: string | null; repeat: number }): string {
  const label = (e: EngineName) => ENGINES.find((x) => x.name === e)!.label;
  const ws = WORKLOADS.filter((w) => runs.some((r) => r.workload === w.name));
  const has = (e: EngineName) => engines.includes(e);
  const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

  const tput = table(
    ['workload', ...engines.map(label), ...(has('hand') ? ['fused / hand'] : []), ...(has('flink-java') ? ['fused / Flink', 'fused / Flink per core'] : []), ...(has('pyflink') ? ['fused / PyFlink'] : []), ...(has('sluice-unfused') ? ['fused / unfused'] : []), ...(has('sluice-batch') ? ['batch / stream'] : []), 'answers'],
    ws.map((w) => {
      const f = med(runs, 'sluice', w.name, 'rowsPerSecond');
      const fc = med(runs, 'sluice', w.name, 'rowsPerCpuSecond');
      return [
        `${w.name}: ${w.title}`,
        ...engines.map((e) => mrows(med(runs, e, w.name, 'rowsPerSecond'))),
        ...(has('hand') ? [ratio(f, med(runs, 'hand', w.name, 'rowsPerSecond'))] : []),
        ...(has('flink-java') ? [ratio(f, med(runs, 'flink-java', w.name, 'rowsPerSecond')), ratio(fc, med(runs, 'flink-java', w.name, 'rowsPerCpuSecond'))] : []),
        ...(has('pyflink') ? [ratio(f, med(runs, 'pyflink', w.name, 'rowsPerSecond'))] : []),
        ...(has('sluice-unfused') ? [ratio(f, med(runs, 'sluice-unfused', w.name, 'rowsPerSecond'))] : []),
        ...(has('sluice-batch') ? [ratio(med(runs, 'sluice-batch', w.name, 'rowsPerSecond'), f)] : []),
        answers(runs, w.name),
      ];
    }),
  );
  const perCore = table(['workload', ...engines.map(label)], ws.map((w) => [w.name, ...engines.map((e) => mrows(med(runs, e, w.name, 'rowsPerCpuSecond')))]));
  const first = table(['workload', ...engines.map(label)], ws.map((w) => [w.name, ...engines.map((e) => secs(med(runs, e, w.name, 'firstResultSeconds')))]));
  const rss = table(['workload', ...engines.map(label)], ws.map((w) => [w.name, ...engines.map((e) => mb(med(runs, e, w.name, 'peakRssMb')))]));
  const time = table(['workload', ...engines.map(label)], ws.map((w) => [w.name, ...engines.map((e) => secs(med(runs, e, w.name, 'seconds')))]));

  return [
    '# Benchmark results',
    '',
    `Generated by \`${ctx.command}\` on ${ctx.date}. How to reproduce each number: [README.md](README.md).`,
    '',
    `- Machine: ${ctx.machine}`,
    `- Versions: ${ctx.versions}`,
    `- Input: ${ctx.rows.toLocaleString('en')} rows per workload (bench/peers/gen-input.py), the same CSV file for every engine; medians of ${ctx.repeat} run(s) per engine, engines interleaved.`,
    '- Every answer is compared byte for byte with the Flink Java answer (capture format, bench/lib/capture.ts).',
    ...ctx.notes.map((n) => `- ${n}`),
    '',
    '## Throughput (M rows/s, median) and ratios',
    '',
    'Rows of input divided by the job time: from the job\'s start (after process start-up, planning and, for sluice, loading the bundle) to its answer written. "Per core" divides by the CPU time the whole process tree spent in that window instead (Flink uses more than one thread even at parallelism 1).',
    '',
    tput,
    '',
    '## Throughput per core (M rows per CPU second, median)',
    '',
    perCore,
    '',
    '## Time to first result (s, median)',
    '',
    'From the engine\'s process start (JVM start for Flink, the Python process for PyFlink) to the first record at the sink; compile time excluded for sluice (bundles are compiled before).',
    '',
    first,
    '',
    '## Peak RSS (MB, median)',
    '',
    'Largest resident set of the whole process tree (sampled every 100 ms) or of its largest process (/usr/bin/time), whichever is larger.',
    '',
    rss,
    '',
    '## Job time (s, median)',
    '',
    time,
    '',
    ...renderKafka(kafka.results, kafka.skipped, kafka.repeat),
    '## Targets',
    '',
    ...targets,
    '',
  ].join('\n');
}
