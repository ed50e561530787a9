// The engines of the side-by-side benchmark and how each is built, started and read back. Every engine gets the
// same input file and writes its answer in the capture format (capture.ts) to a file of the harness's choosing;
// each reports its own job time and time to first result (from its own process start), since only the engine
// knows when its job began:
//   sluice, sluice-unfused, sluice-batch  the compiled bundle (node build.mjs [--unfused | -D execution.runtime-mode=batch]) with its sink swapped to collect and
//                           capture-hook.mjs preloaded; job time from the 'job started' log line to the answer
//   hand                    the hand-written loop (bench/hand/<workload>.ts, bundled), its own JSON line
//   flink-java, pyflink     bench/peers' runners with their capture sink, their own JSON line
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { CaptureSpec } from './capture.js';
import type { Measured } from './measure.js';
import { BENCH_DIR, REPO_DIR, WORK_DIR, inputFile, workloadInfo } from './workloads.js';

export type EngineName = 'sluice' | 'sluice-unfused' | 'sluice-batch' | 'hand' | 'flink-java' | 'pyflink';

export const ENGINES: { name: EngineName; label: string }[] = [
  { name: 'sluice', label: 'sluice fused' },
  { name: 'sluice-unfused', label: 'sluice unfused' },
  { name: 'sluice-batch', label: 'sluice batch' },
  { name: 'hand', label: 'hand-written loop' },
  { name: 'flink-java', label: 'Flink Java' },
  { name: 'pyflink', label: 'PyFlink' },
];

/** The engines that run sluice's bundle (the same bundle, run three ways). */
export const isSluice = (e: EngineName) => e === 'sluice' || e === 'sluice-unfused' || e === 'sluice-batch';

const BUILD_DIR = path.join(WORK_DIR, 'build');
const SLUICE_DIR = path.join(WORK_DIR, 'sluice');
const HOOK = path.join(BUILD_DIR, 'capture-hook.mjs');
const FLINK_JAR = path.join(WORK_DIR, 'flink-java', 'target', 'sluice-flink-peer-0.1.0.jar');
const PYFLINK_PYTHON = path.join(WORK_DIR, 'pyflink-venv', 'bin', 'python');
/** The `sluice` command: parallel runs go through `sluice run <bundle> -p n`. */
const SLUICE_BIN = path.join(REPO_DIR, 'bin', 'sluice.mjs');

export interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** What a run reports about itself, read from its output and answer's meta data. */
export interface Reported {
  /** Job time: from the job's start (after process start-up and planning; Flink: its net runtime) to its answer written. */
  seconds: number;
  /** From process start to the first record at the sink; null when the engine did not say. */
  firstResultSeconds: number | null;
  /** Epoch ms the answer was written (the end of the job's time window). */
  endEpochMs: number;
  /** Engine version facts for the report. */
  versions: Record<string, string>;
}

interface Meta { firstRecordEpochMs: number; writtenEpochMs: number; processStartEpochMs?: number }

const readMeta = (answer: string): Meta => JSON.parse(fs.readFileSync(`${answer}.meta.json`, 'utf8')) as Meta;

/** The last JSON object line of a process's stdout. */
function jsonLine(stdout: string): Record<string, unknown> {
  const line = stdout.split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error('no JSON result line on stdout');
  return JSON.parse(line) as Record<string, unknown>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules' && !e.name.startsWith('.')) newest = Math.max(newest, newestMtime(full)); } else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** A workload's bundle; `carry` names connectors it carries beyond its job's own (sluice compile --connector). */
const bundleOf = (workload: string, carry: readonly string[] = []) => path.join(SLUICE_DIR, `${[workload, ...carry].join('+')}.mjs`);
const handOf = (workload: string) => path.join(BUILD_DIR, 'hand', `${workload}.mjs`);

/** The sink table of a compiled bundle and the capture spec of its columns. */
async function sluiceSink(bundle: string, workload: string, answer: string): Promise<{ table: string; spec: CaptureSpec & { id: string } }> {
  const mod = (await import(bundle)) as { job: { plan: { nodes: { kind: string; table?: string; schema?: { name: string; type: { name: string } }[]; primaryKey?: string[] }[] } } };
  const sink = mod.job.plan.nodes.find((n) => n.kind === 'sink');
  if (!sink?.table || !sink.schema) throw new Error(`${workload}: the bundle has no sink`);
  const spec = {
    id: 'bench', path: answer, mode: workloadInfo(workload).mode,
    columns: sink.schema.map((f) => ({ name: f.name, type: f.type.name })), primaryKey: sink.primaryKey ?? [],
  };
  return { table: sink.table, spec };
}

/**
 * Builds what the engines need for these workloads: sluice bundles (recompiled when the compiler, runtime,
 * UDFs or bench jobs changed; compile time is not measured), the capture hook and the hand-written loops.
 * The peers are built by their own scripts when missing (the Java peer also when its sources changed).
 */
export async function prepare(engines: EngineName[], workloads: string[], log: (s: string) => void, carry: readonly string[] = []): Promise<void> {
  fs.mkdirSync(SLUICE_DIR, { recursive: true });
  const esbuild = (entry: string, outfile: string) => build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' });
  if (engines.some(isSluice)) {
    await esbuild(path.join(BENCH_DIR, 'lib', 'capture-hook.ts'), HOOK);
    const sources = Math.max(...['compiler', 'runtime', 'udfs', 'bench/jobs', 'bench/lib', 'bench/peers/sql'].map((d) => newestMtime(path.join(REPO_DIR, d))));
    for (const w of workloads) {
      const out = bundleOf(w, carry);
      if (fs.existsSync(out) && fs.statSync(out).mtimeMs > sources) continue;
      log(`compiling bench/jobs/${w}.ts${carry.map((c) => ` --connector ${c}`).join('')}`);
      const args = ['compile', path.join(BENCH_DIR, 'jobs', `${w}.ts`), '-o', out, ...carry.flatMap((c) => ['--connector', c])];
      execFileSync(process.execPath, [path.join(REPO_DIR, 'bin', 'sluice.mjs'), ...args], { cwd: REPO_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
    }
  }
  if (engines.includes('hand')) {
    for (const w of workloads) await esbuild(path.join(BENCH_DIR, 'hand', `${w}.ts`), handOf(w));
  }
  const peerSources = path.join(BENCH_DIR, 'peers', 'flink-java');
  if (engines.includes('flink-java') && (!fs.existsSync(FLINK_JAR) || newestMtime(peerSources) > fs.statSync(FLINK_JAR).mtimeMs)) {
    log('building the Flink Java peer (bench/peers/flink-java/build.sh)');
    execFileSync('bash', [path.join(BENCH_DIR, 'peers', 'flink-java', 'build.sh')], { stdio: 'inherit' });
  }
  if (engines.includes('pyflink') && !fs.existsSync(PYFLINK_PYTHON)) {
    log('setting up PyFlink (bench/peers/pyflink/setup.sh)');
    execFileSync('bash', [path.join(BENCH_DIR, 'peers', 'pyflink', 'setup.sh')], { stdio: 'inherit' });
  }
}

/** For sluice runs on other connectors (the Kafka rows): table options replacing the input file, or the capture sink. */
export interface SluiceTables {
  /** --set options of the input table (replacing its file path), e.g. a swap to the kafka connector. */
  input?: Record<string, string>;
  /** --set options of the sink table (replacing the capture sink: no answer is captured then). */
  sink?: Record<string, string>;
  /** The capture sink stops the job after this many records (an unbounded source never ends). */
  stopAfter?: number;
  /** Connectors the bundle must carry for these swaps (prepared with prepare(..., carry)). */
  carry?: readonly string[];
  /** -p n: the bundle runs under `sluice run` (a bundle run with node alone is one subtask). */
  parallelism?: number;
}

const sets = (table: string, options: Record<string, string>) => Object.entries(options).flatMap(([k, v]) => ['--set', `${table}.${k}=${v}`]);

/** The command that runs one workload on one engine, writing its answer to `answer`. */
export async function launch(engine: EngineName, workload: string, rows: number, answer: string, tables: SluiceTables = {}): Promise<Launch> {
  const { input, inputs } = workloadInfo(workload);
  const file = inputFile(rows, input);
  // A join's other tables (`${input:<kind>}` in its SQL): their files for these rows.
  const others = inputs.slice(1).flatMap((kind) => sets(kind, { path: inputFile(rows, kind) }));
  const env = { ...process.env };
  const peerArgs = ['--workload', workload, '--rows', String(rows), '--input', file, '--output', answer, '--sink', 'capture'];
  switch (engine) {
    case 'sluice': case 'sluice-unfused': case 'sluice-batch': {
      const bundle = bundleOf(workload, tables.carry);
      const { table, spec } = await sluiceSink(bundle, workload, answer);
      const capture = tables.sink === undefined;
      const parallel = tables.parallelism !== undefined && tables.parallelism > 1;
      return {
        command: process.execPath,
        args: ['--import', HOOK, ...(parallel ? [SLUICE_BIN, 'run', bundle, '-p', String(tables.parallelism)] : [bundle]), ...(engine === 'sluice-unfused' ? ['--unfused'] : []), ...(engine === 'sluice-batch' ? ['-D', 'execution.runtime-mode=batch'] : []),
          ...sets(input, tables.input ?? { path: file }), ...others, ...sets(table, tables.sink ?? { connector: 'collect', id: spec.id })],
        // JSON log lines on stderr: the harness reads the 'job started' time from them.
        env: { ...env, SLUICE_LOG_FORMAT: 'json', ...(capture ? { SLUICE_BENCH_CAPTURE: JSON.stringify({ ...spec, stopAfter: tables.stopAfter }) } : {}) },
      };
    }
    case 'hand':
      return { command: process.execPath, args: [handOf(workload), '--input', file, '--output', answer, '--rows', String(rows)], env };
    case 'flink-java':
      return { command: 'bash', args: [path.join(BENCH_DIR, 'peers', 'flink-java', 'run.sh'), ...peerArgs], env };
    case 'pyflink':
      return { command: PYFLINK_PYTHON, args: [path.join(BENCH_DIR, 'peers', 'pyflink', 'job.py'), ...peerArgs], env };
  }
}

/** Reads back what a finished run reports. */
export function reported(engine: EngineName, m: Measured, answer: string): Reported {
  const meta = readMeta(answer);
  if (isSluice(engine)) {
    const started = m.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; time?: number }).find((l) => l.msg === 'job started');
    if (!started?.time) throw new Error("no 'job started' log line");
    return {
      seconds: (meta.writtenEpochMs - started.time) / 1000,
      firstResultSeconds: meta.firstRecordEpochMs < 0 || !meta.processStartEpochMs ? null : (meta.firstRecordEpochMs - meta.processStartEpochMs) / 1000,
      endEpochMs: meta.writtenEpochMs,
      versions: { node: process.version },
    };
  }
  const j = jsonLine(m.stdout);
  const versions: Record<string, string> = {};
  for (const k of ['nodeVersion', 'flinkVersion', 'javaVersion', 'pythonVersion', 'udfMode']) if (typeof j[k] === 'string') versions[k] = j[k] as string;
  // Flink's net runtime leaves out planning and job submission (its 'seconds' include them): the fairer job time.
  const seconds = typeof j.netRuntimeSeconds === 'number' ? j.netRuntimeSeconds : (j.seconds as number);
  return { seconds, firstResultSeconds: (j.firstResultSeconds as number | null) ?? null, endEpochMs: meta.writtenEpochMs, versions };
}
