// `npm run bench`: the side-by-side benchmark. Runs every workload on sluice fused, sluice unfused, the
// hand-written loop, Flink's Java Table API and PyFlink, on the same generated CSV input, several times with the
// engines interleaved; checks every answer against Flink's; writes medians and ratios to bench/RESULTS.md.
//   npm run bench                                   10 M rows, 3 runs each, all engines and workloads
//   npm run bench -- --quick                        100 k rows, 1 run: a smoke test (bench/.work/bench/RESULTS-quick.md)
//   npm run bench -- --rows 2000000 --repeat 5 --engines sluice,hand --workloads q0,spend --no-kafka
//   npm run bench -- --kafka-only --kafka-records 1000000      only the Kafka rows (starts the broker: stack/up.sh kafka)
//   npm run bench -- --kafka-only --kafka-engines sluice-kafka-kafka,flink-kafka-kafka   some of them
// See bench/README.md.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENGINES, launch, prepare, reported, type EngineName } from './lib/engines.js';
import { cpuSecondsFrom, measure } from './lib/measure.js';
import { KAFKA_ENGINES, runKafka, startKafka, type KafkaEngine, type KafkaResult } from './lib/kafka.js';
import { med, renderResults, type Context, type RunResult } from './lib/report.js';
import { BENCH_DIR, inputFile, REPO_DIR, WORK_DIR, WORKLOADS, workloadInfo } from './lib/workloads.js';

interface Options {
  rows: number; repeat: number; engines: EngineName[]; workloads: string[]; out: string; timeoutS: number;
  /** Kafka rows: records in the topic; 0 to leave them out. */
  kafkaRecords: number;
  /** Partitions of the Kafka rows' topics (the -p 2 rows read one partition per subtask). */
  kafkaPartitions: number;
  brokers: string;
  /** Only the Kafka rows, merged into the last full run's results. */
  kafkaOnly?: boolean;
  /** Only these Kafka rows (all by default). */
  kafkaEngines?: KafkaEngine[];
}

/** What a full run keeps so that `--kafka-only` can redo the Kafka rows of the same RESULTS.md. */
interface SavedRun { ctx: Context; options: Options; runs: RunResult[] }
const SAVED_RUN = path.join(WORK_DIR, 'bench', 'last-full-run.json');

function parseOptions(argv: string[]): Options {
  const get = (flag: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const quick = argv.includes('--quick');
  const list = (flag: string, all: string[]) => { const v = get(flag); return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : all; };
  const o: Options = {
    rows: Number(get('--rows') ?? (quick ? 100_000 : 10_000_000)),
    repeat: Number(get('--repeat') ?? (quick ? 1 : 3)),
    engines: list('--engines', ENGINES.map((e) => e.name)) as EngineName[],
    workloads: list('--workloads', WORKLOADS.map((w) => w.name)),
    // A quick run does not overwrite the full results unless asked to; --kafka-only redoes RESULTS.md's Kafka rows.
    out: get('--out') ?? (quick ? path.join(WORK_DIR, 'bench', 'RESULTS-quick.md') : path.join(BENCH_DIR, 'RESULTS.md')),
    timeoutS: Number(get('--timeout') ?? 1800),
    kafkaRecords: argv.includes('--no-kafka') ? 0 : Number(get('--kafka-records') ?? (quick ? 100_000 : 2_000_000)),
    kafkaPartitions: Number(get('--kafka-partitions') ?? 2),
    brokers: get('--brokers') ?? process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092',
  };
  if (argv.includes('--kafka-only')) { o.engines = []; o.workloads = []; o.kafkaOnly = true; }
  if (get('--kafka-engines')) o.kafkaEngines = list('--kafka-engines', []) as KafkaEngine[];
  for (const e of o.kafkaEngines ?? []) if (!KAFKA_ENGINES.some((x) => x.name === e)) throw new Error(`unknown Kafka row '${e}' (have ${KAFKA_ENGINES.map((x) => x.name).join(', ')})`);
  for (const e of o.engines) if (!ENGINES.some((x) => x.name === e)) throw new Error(`unknown engine '${e}' (have ${ENGINES.map((x) => x.name).join(', ')})`);
  for (const w of o.workloads) if (!WORKLOADS.some((x) => x.name === w)) throw new Error(`unknown workload '${w}' (have ${WORKLOADS.map((x) => x.name).join(', ')})`);
  if (!(o.rows > 0) || !(o.repeat > 0)) throw new Error('--rows and --repeat take positive numbers');
  return o;
}

const log = (s: string) => console.error(`[bench] ${s}`);

/** An answer Flink Java wrote for this input in an earlier run (this harness's or bench/peers/run.py's). */
function storedFlinkAnswer(rows: number, workload: string): string | undefined {
  return [path.join(WORK_DIR, 'bench', String(rows), 'answers', `flink-java-${workload}.csv`), path.join(WORK_DIR, 'out', String(rows), `flink-java-${workload}.csv`)]
    .find((f) => fs.existsSync(f));
}
const sha1 = (file: string) => createHash('sha1').update(fs.readFileSync(file)).digest('hex');

function machine(): string {
  const cpu = os.cpus();
  const debian = fs.existsSync('/etc/debian_version') ? `Debian ${fs.readFileSync('/etc/debian_version', 'utf8').trim()}` : os.type();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${debian}, Linux ${os.release()}; shared with other work (1-minute load average at each run's start is in the JSON lines)`;
}

function versions(runs: RunResult[]): string {
  const v = (key: string) => runs.map((r) => r.versions?.[key]).find((x) => x !== undefined);
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', 'compiler', 'runtime'], { cwd: REPO_DIR, encoding: 'utf8' }).trim()) commit += ' + local changes';
  } catch { /* not a git checkout */ }
  const parts = [`sluice ${commit} on Node ${process.version}`];
  if (v('flinkVersion')) parts.push(`Flink ${v('flinkVersion')} on Java ${v('javaVersion') ?? '?'} (MiniCluster, parallelism 1)`);
  const py = runs.find((r) => r.engine === 'pyflink' && r.versions?.flinkVersion);
  if (py) parts.push(`PyFlink ${py.versions!.flinkVersion} on Python ${py.versions!.pythonVersion ?? '?'} (UDF in ${runs.map((r) => r.versions?.udfMode).find(Boolean) ?? 'process'} mode)`);
  return parts.join('; ');
}

/** The verdict lines of the targets, from the medians. */
function targets(runs: RunResult[], o: Options): string[] {
  const lines: string[] = [];
  const ws = o.workloads;
  const check = (title: string, engine: EngineName, per: (w: string) => { ok: boolean; text: string } | null) => {
    if (!o.engines.includes('sluice') || !o.engines.includes(engine)) return;
    const results = ws.map((w) => ({ w, r: per(w) })).filter((x) => x.r !== null) as { w: string; r: { ok: boolean; text: string } }[];
    if (!results.length) return;
    const missed = results.filter((x) => !x.r.ok);
    lines.push(`- ${missed.length ? '**missed**' : 'met'}: ${title} — ${results.map((x) => `${x.w} ${x.r.text}${x.r.ok ? '' : ' ✗'}`).join(', ')}`);
  };
  const f = (w: string, m: Parameters<typeof med>[3]) => med(runs, 'sluice', w, m);
  check('fused ≥ Flink Java per core (rows per CPU second, ratio)', 'flink-java', (w) => {
    const r = f(w, 'rowsPerCpuSecond') / med(runs, 'flink-java', w, 'rowsPerCpuSecond');
    return Number.isFinite(r) ? { ok: r >= 1, text: `${r.toFixed(2)}×` } : null;
  });
  check('fused ≥ 10× PyFlink on the UDF workload', 'pyflink', (w) => {
    if (w !== 'payments') return null;
    const r = f(w, 'rowsPerSecond') / med(runs, 'pyflink', w, 'rowsPerSecond');
    return Number.isFinite(r) ? { ok: r >= 10, text: `${r.toFixed(1)}×` } : null;
  });
  check('fused ≥ 0.7× the hand-written loop', 'hand', (w) => {
    const r = f(w, 'rowsPerSecond') / med(runs, 'hand', w, 'rowsPerSecond');
    return Number.isFinite(r) ? { ok: r >= 0.7, text: `${r.toFixed(2)}×` } : null;
  });
  check('time to first result ≤ 0.3 s (Flink Java in brackets)', 'sluice', (w) => {
    const s = f(w, 'firstResultSeconds');
    const fl = med(runs, 'flink-java', w, 'firstResultSeconds');
    return Number.isFinite(s) ? { ok: s <= 0.3, text: `${s.toFixed(3)} s${Number.isFinite(fl) ? ` (${fl.toFixed(1)} s)` : ''}` } : null;
  });
  check('peak RSS ≤ 150 MB', 'sluice', (w) => {
    const m = f(w, 'peakRssMb');
    return Number.isFinite(m) ? { ok: m <= 150, text: `${Math.round(m)} MB` } : null;
  });
  lines.push('', 'What bounds the missed ones, with profiles: [README.md](README.md#what-bounds-the-numbers).');
  return lines;
}

/**
 * Reads the input once before a run, so that no engine pays for the disk: the first run to read a file after
 * other work had evicted it from the page cache waited 26 s for it, at full speed otherwise.
 */
function warmPageCache(file: string): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const runDir = path.join(WORK_DIR, 'bench', String(o.rows));
  fs.mkdirSync(path.join(runDir, 'answers'), { recursive: true });
  const jsonl = path.join(WORK_DIR, 'bench', `results-${o.rows}.jsonl`);

  const inputs = [...new Set(o.workloads.flatMap((w) => workloadInfo(w).inputs))];
  if (inputs.length) {
    log(`input: ${o.rows} rows of ${inputs.join(', ')}`);
    execFileSync('python3', [path.join(BENCH_DIR, 'peers', 'gen-input.py'), '--rows', String(o.rows), '--only', inputs.join(',')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  await prepare(o.engines, o.workloads, log);

  const runs: RunResult[] = [];
  const hashes = new Map<RunResult, string>();
  for (const w of o.workloads) {
    for (let rep = 0; rep < o.repeat; rep++) {
      // Rotate the engine order each round, so no engine always runs right after the same neighbour.
      const order = o.engines.map((_, i) => o.engines[(i + rep) % o.engines.length]);
      for (const engine of order) {
        const answer = path.join(runDir, 'answers', `${engine}-${w}.csv`);
        fs.rmSync(answer, { force: true });
        fs.rmSync(`${answer}.meta.json`, { force: true });
        for (const input of workloadInfo(w).inputs) warmPageCache(inputFile(o.rows, input));
        const l = await launch(engine, w, o.rows, answer);
        const loadAvg1 = +os.loadavg()[0].toFixed(2);
        const m = await measure(l.command, l.args, l.env, REPO_DIR, o.timeoutS * 1000);
        const r: RunResult = { engine, workload: w, rows: o.rows, rep, ok: false, loadAvg1, wallSeconds: m.wallSeconds, cpuSeconds: m.cpuSeconds, when: new Date().toISOString(), samples: m.samples.map((x) => [x.t - m.startEpochMs, x.cpuMs, x.rssKb]) };
        try {
          if (m.exitCode !== 0) throw new Error(`exit ${m.exitCode}: ${m.stderr.split('\n').filter((x) => x && !x.startsWith('\t')).slice(-3).join(' | ')}`);
          const rep2 = reported(engine, m, answer);
          const jobCpu = cpuSecondsFrom(m, rep2.endEpochMs - rep2.seconds * 1000);
          Object.assign(r, {
            ok: true, seconds: rep2.seconds, rowsPerSecond: Math.round(o.rows / rep2.seconds), firstResultSeconds: rep2.firstResultSeconds,
            peakRssMb: Math.max(m.maxRssMb, m.treeRssMb), jobCpuSeconds: jobCpu, rowsPerCpuSecond: Math.round(o.rows / jobCpu), versions: rep2.versions,
          });
          hashes.set(r, sha1(answer));
        } catch (e) {
          r.error = (e as Error).message;
        }
        runs.push(r);
        log(`${w} #${rep + 1} ${engine.padEnd(14)} ${r.ok ? `${(r.rowsPerSecond! / 1e6).toFixed(2)} M rows/s, job ${r.seconds!.toFixed(2)} s, first result ${r.firstResultSeconds?.toFixed(3) ?? '–'} s, ${r.peakRssMb} MB, ${Number.isFinite(r.rowsPerCpuSecond) ? (r.rowsPerCpuSecond! / 1e6).toFixed(2) : '–'} M rows/CPU s, load ${loadAvg1}` : `FAILED ${r.error}`}`);
      }
    }
    // The reference answer: Flink Java's from this run, else one it wrote earlier for this input, else the first engine's.
    const mine = runs.filter((r) => r.workload === w && hashes.has(r));
    const flinkRun = mine.find((r) => r.engine === 'flink-java');
    const stored = storedFlinkAnswer(o.rows, w);
    const [refName, refHash] = flinkRun ? ['Flink Java', hashes.get(flinkRun)!] : stored ? [`Flink Java's earlier answer (${path.relative(REPO_DIR, stored)})`, sha1(stored)] : [mine[0]?.engine ?? '-', hashes.get(mine[0]!)];
    for (const r of mine) r.answerMatches = hashes.get(r) === refHash;
    const differ = mine.filter((r) => !r.answerMatches).map((r) => `${r.engine} #${r.rep + 1}`);
    log(`${w}: answers ${differ.length ? `DIFFER from ${refName}: ${differ.join(', ')}` : `identical to ${refName} (${new Set(mine.map((r) => r.engine)).size} engine(s))`}`);
    for (const r of runs.filter((x) => x.workload === w)) fs.appendFileSync(jsonl, `${JSON.stringify(r)}\n`);
  }

  // The Kafka rows last: they need the broker (started here if it is not running).
  const kafka: { results: KafkaResult[]; skipped: string | null; repeat: number } = { results: [], skipped: null, repeat: o.repeat };
  if (o.kafkaRecords > 0) {
    if (!Number.isInteger(o.kafkaPartitions) || o.kafkaPartitions < 1) throw new Error(`--kafka-partitions must be a positive integer, got ${o.kafkaPartitions}`);
    kafka.skipped = await startKafka(o.brokers);
    if (kafka.skipped === null) kafka.results = await runKafka({ records: o.kafkaRecords, partitions: o.kafkaPartitions, repeat: o.repeat, brokers: o.brokers, timeoutS: Math.min(o.timeoutS, 600), engines: o.kafkaEngines }, log);
    else log(`Kafka rows skipped: ${kafka.skipped}`);
  }

  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, '');
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  let report: SavedRun = { ctx: { rows: o.rows, repeat: o.repeat, date, machine: machine(), versions: versions(runs), command, notes: [] }, options: o, runs };
  if (o.kafkaOnly && o.out === path.join(BENCH_DIR, 'RESULTS.md')) {
    if (fs.existsSync(SAVED_RUN)) {
      // The file rows of the last full run, with these Kafka rows.
      const saved = JSON.parse(fs.readFileSync(SAVED_RUN, 'utf8')) as SavedRun;
      report = { ...saved, ctx: { ...saved.ctx, notes: [...saved.ctx.notes.filter((n) => !n.startsWith('Kafka rows re-run')), `Kafka rows re-run on ${date} with \`${command}\`.`] } };
    } else {
      o.out = path.join(WORK_DIR, 'bench', 'RESULTS-kafka.md');
    }
  } else if (o.out === path.join(BENCH_DIR, 'RESULTS.md')) {
    // Kept without the CPU samples (those are in the JSON lines).
    fs.writeFileSync(SAVED_RUN, JSON.stringify({ ...report, runs: runs.map(({ samples: _, ...r }) => r) }));
  }
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, renderResults(report.runs, report.ctx, report.options.engines, targets(report.runs, report.options), kafka));
  log(`wrote ${path.relative(process.cwd(), o.out)}${runs.length ? `; every run is in ${path.relative(process.cwd(), jsonl)}` : ''}`);
  const bad = runs.filter((r) => !r.ok || r.answerMatches === false).length + kafka.results.filter((r) => !r.ok || r.answerMatches === false).length;
  if (bad) { log(`${bad} run(s) failed or gave a different answer`); process.exitCode = 1; }
}

await main();
