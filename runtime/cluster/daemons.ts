// Starting and stopping cluster processes in the background, as Flink's start-cluster.sh / taskmanager.sh:
// detached children of the `sluice` command with their output in `<cluster dir>/log/<name>.log` (logs) and
// `.out` (stdout: the print sink), found again through their pid files. Start waits until the process is
// really up (the jobmanager answers, the taskmanager has registered) or says why it is not.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import { RestClient } from './jobmanager-client.js';
import { isSluiceProcess, liveTaskmanagers, readJobmanagerState, readPid, type ClusterPaths } from './cluster-dir.js';

const BIN = fileURLToPath(new URL('../../bin/sluice.mjs', import.meta.url));

export function spawnDaemon(paths: ClusterPaths, name: string, args: string[]): number {
  mkdirSync(paths.logDir, { recursive: true });
  const out = openSync(paths.out(name), 'a');
  const err = openSync(paths.log(name), 'a');
  try {
    const child = spawn(process.execPath, [BIN, ...args], {
      detached: true,
      stdio: ['ignore', out, err],
      // Logs read by people: one line per entry, unless asked for JSON.
      env: { ...process.env, SLUICE_LOG_FORMAT: process.env.SLUICE_LOG_FORMAT ?? 'text' },
    });
    child.unref();
    return child.pid!;
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last lines of a log, for the error when a daemon dies while starting. */
export function logTail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function waitForJobmanager(paths: ClusterPaths, pid: number, token: string | null, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) throw new UserError(`the jobmanager exited while starting:\n${logTail(paths.log('jobmanager'))}`);
    const state = readJobmanagerState(paths);
    if (state?.pid === pid) {
      try {
        await new RestClient(state.url, token).get('/overview', { timeoutMs: 2000 });
        return state.url;
      } catch {
        // Not answering yet.
      }
    }
    await sleep(100);
  }
  throw new UserError(`the jobmanager did not come up within ${timeoutMs / 1000} s; see ${paths.log('jobmanager')}`);
}

export async function waitForTaskmanager(paths: ClusterPaths, name: string, pid: number, client: RestClient, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) throw new UserError(`${name} exited while starting:\n${logTail(paths.log(name))}`);
    try {
      const { taskmanagers } = await client.get<{ taskmanagers: { id: string; pid: number }[] }>('/taskmanagers', { timeoutMs: 2000 });
      const tm = taskmanagers.find((t) => t.pid === pid);
      if (tm) return tm.id;
    } catch {
      // The jobmanager may be busy; try again.
    }
    await sleep(100);
  }
  throw new UserError(`${name} did not register within ${timeoutMs / 1000} s; see ${paths.log(name)}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Removes the pid file. */
export async function stopProcess(pidFile: string, graceMs = 15_000): Promise<number | null> {
  const pid = readPid(pidFile);
  if (!isSluiceProcess(pid)) {
    rmSync(pidFile, { force: true });
    return null;
  }
  try {
    process.kill(pid!, 'SIGTERM');
  } catch {
    // Gone already.
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid!) && Date.now() < deadline) await sleep(50);
  if (alive(pid!)) {
    process.kill(pid!, 'SIGKILL');
    while (alive(pid!)) await sleep(50);
  }
  if (existsSync(pidFile) && readPid(pidFile) === pid) rmSync(pidFile, { force: true });
  return pid;
}

/** The first free daemon slot for a new taskmanager (a killed one's stale pid file counts as free). */
export function nextTaskmanagerIndex(paths: ClusterPaths): number {
  const used = new Set(liveTaskmanagers(paths).map((t) => t.index));
  let i = 1;
  while (used.has(i)) i++;
  return i;
}

export function relativePath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}
