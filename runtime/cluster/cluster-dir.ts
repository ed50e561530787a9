// One directory holds everything a local cluster has: pid files, logs, uploaded bundles, the jobs' copies
// of them, checkpoints and (by default) savepoints. `--dir` chooses it (default `.sluice/` in the working
// directory, or $SLUICE_CLUSTER_DIR); the jobmanager writes `jobmanager.json` there with its REST address,
// which is how taskmanagers and the CLI find it.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../state/checkpoint-storage.js';

export const DEFAULT_CLUSTER_DIR = '.sluice';

export interface ClusterPaths {
  root: string;
  logDir: string;
  /** Uploaded bundles (POST /jars/upload). */
  jarsDir: string;
  /** Per job: its own copy of the bundle, so deleting a jar never breaks a running job. */
  jobsDir: string;
  checkpointsDir: string;
  savepointsDir: string;
  /** The jobmanager's address and pid, written once it listens. */
  jobmanagerState: string;
  jobmanagerPid: string;
  taskmanagerPid(index: number): string;
  /** `<name>.log` takes the process's log (stderr), `<name>.out` its stdout (the print sink's output). */
  log(name: string): string;
  out(name: string): string;
}

export function resolveClusterDir(dir?: string): string {
  return path.resolve(dir ?? process.env.SLUICE_CLUSTER_DIR ?? DEFAULT_CLUSTER_DIR);
}

export function clusterPaths(dir?: string): ClusterPaths {
  const root = resolveClusterDir(dir);
  const logDir = path.join(root, 'log');
  return {
    root,
    logDir,
    jarsDir: path.join(root, 'jars'),
    jobsDir: path.join(root, 'jobs'),
    checkpointsDir: path.join(root, 'checkpoints'),
    savepointsDir: path.join(root, 'savepoints'),
    jobmanagerState: path.join(root, 'jobmanager.json'),
    jobmanagerPid: path.join(root, 'jobmanager.pid'),
    taskmanagerPid: (i) => path.join(root, `taskmanager-${i}.pid`),
    log: (name) => path.join(logDir, `${name}.log`),
    out: (name) => path.join(logDir, `${name}.out`),
  };
}

export interface JobmanagerState {
  pid: number;
  /** REST base URL clients use, e.g. http://127.0.0.1:8081. */
  url: string;
  address: string;
  port: number;
  startedAt: number;
}

export function readJobmanagerState(paths: ClusterPaths): JobmanagerState | null {
  try {
    return JSON.parse(fs.readFileSync(paths.jobmanagerState, 'utf8')) as JobmanagerState;
  } catch {
    return null;
  }
}

export async function writeJobmanagerState(paths: ClusterPaths, state: JobmanagerState): Promise<void> {
  await writeFileAtomic(paths.jobmanagerState, JSON.stringify(state, null, 2) + '\n');
}

export function readPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function writePid(file: string, pid = process.pid): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${pid}\n`);
}

/** Removes a pid file only if it still names this process (a newer process may have taken the slot). */
export function removePidFile(file: string, pid = process.pid): void {
  if (readPid(file) === pid) fs.rmSync(file, { force: true });
}

/**
 * Whether `pid` is a live sluice process. A pid file can outlive its process (kill -9) and the pid can be
 * reused, so where /proc exists the command line must mention sluice as well.
 */
export function isSluiceProcess(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('sluice');
  } catch {
    // No /proc (macOS): the signal check is all there is.
    return true;
  }
}

/** Taskmanager slots in use: indexes whose pid file names a live process. */
export function liveTaskmanagers(paths: ClusterPaths): { index: number; pid: number }[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(paths.root);
  } catch {
    return [];
  }
  const found: { index: number; pid: number }[] = [];
  for (const name of names) {
    const m = /^taskmanager-(\d+)\.pid$/.exec(name);
    if (!m) continue;
    const index = Number(m[1]);
    const pid = readPid(paths.taskmanagerPid(index));
    if (isSluiceProcess(pid)) found.push({ index, pid: pid! });
  }
  return found.sort((a, b) => a.index - b.index);
}
