// Which directories a REST request may make the jobmanager write a savepoint into or read one from. A
// target is absolute, or relative to `state.savepoints.dir`; never under /proc, /sys or /dev (symlinks
// resolved: a recursive mkdir under /proc never settles on Node 20 and pins a core); and, when
// `state.savepoints.allowed-dirs` lists directories, inside one of them. Every filesystem operation a
// request triggers here is bounded by `rest.filesystem.timeout`, so no request can hang the jobmanager.
import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { durationOption } from '../core/options.js';
import { localPath, readCheckpointOrSuggest, type StoredCheckpoint } from '../state/checkpoint-storage.js';
import type { Config } from './config.js';
import { badRequest } from './errors.js';

const SYSTEM_DIRS = ['/proc', '/sys', '/dev'];

const within = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

function timeoutMs(config: Config): number {
  return durationOption(config, 'rest.filesystem.timeout', 10_000);
}

/** Settles like `work`, or rejects once `ms` have passed (the operation itself cannot be stopped). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(badRequest(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** `given` as an absolute path: file: URIs and absolute paths as they are, relative ones under state.savepoints.dir. */
function resolveAgainstSavepointDir(given: string, config: Config): string | null {
  if (given.startsWith('file:') || path.isAbsolute(given)) return localPath(given);
  const base = config['state.savepoints.dir'];
  return base ? path.resolve(localPath(base), given) : null;
}

/** The path with its longest existing prefix resolved through symlinks. */
async function resolveExisting(p: string): Promise<string> {
  const rest: string[] = [];
  let dir = p;
  for (;;) {
    const real = await realpath(dir).catch(() => null);
    if (real) return path.join(real, ...rest.reverse());
    const parent = path.dirname(dir);
    if (parent === dir) return p;
    rest.push(path.basename(dir));
    dir = parent;
  }
}

/** Whether a request may use `p` (already absolute); its real location is checked, not just its name. */
async function allowed(p: string, config: Config): Promise<boolean> {
  const real = await resolveExisting(p);
  if ([p, real].some((x) => SYSTEM_DIRS.some((d) => within(x, d)))) return false;
  const roots = (config['state.savepoints.allowed-dirs'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (roots.length === 0) return true;
  for (const root of roots) {
    const r = await resolveExisting(localPath(root));
    if (within(real, r)) return true;
  }
  return false;
}

/** Creates `dir` one level at a time (no recursive mkdir), each step bounded by the timeout. */
async function makeDirs(dir: string, ms: number): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    const s = await withTimeout(stat(d).catch(() => null), ms, `looking at '${d}'`);
    if (s) {
      if (!s.isDirectory()) throw badRequest(`cannot use '${dir}' as the savepoint directory: '${d}' is not a directory`);
      break;
    }
    if (path.dirname(d) === d) break;
    missing.push(d);
  }
  for (const d of missing.reverse()) {
    await withTimeout(mkdir(d).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw badRequest(`cannot use '${dir}' as the savepoint directory: ${e.code ?? e.message}`);
    }), ms, `creating '${d}'`);
  }
}

/**
 * The directory a savepoint request writes into, checked and created. A job may have its own
 * state.savepoints.dir; the limits (allowed dirs, timeout) are the cluster's, whatever the job says.
 */
export async function savepointTarget(given: string | null | undefined, jobConfig: Config, clusterConfig: Config): Promise<string> {
  const config: Config = { ...jobConfig };
  for (const key of ['state.savepoints.allowed-dirs', 'rest.filesystem.timeout']) {
    if (clusterConfig[key] === undefined) delete config[key];
    else config[key] = clusterConfig[key];
  }
  const target = given || config['state.savepoints.dir'];
  if (!target) throw badRequest('no savepoint directory: give one (targetDirectory / target-directory) or set state.savepoints.dir');
  const dir = resolveAgainstSavepointDir(target, config);
  if (!dir) throw badRequest(`'${target}' is a relative path and no state.savepoints.dir is set to resolve it against: give an absolute path`);
  if (!(await allowed(dir, config))) {
    throw badRequest(`'${target}' is not a directory savepoints may be written to: not under /proc, /sys or /dev${config['state.savepoints.allowed-dirs'] ? `, and inside state.savepoints.allowed-dirs (${config['state.savepoints.allowed-dirs']})` : ''}`);
  }
  await makeDirs(dir, timeoutMs(config));
  return dir;
}

/**
 * The savepoint or checkpoint a job is to start from, read and verified. Whatever is wrong with a path a
 * request names, the answer is the same: it is not a readable savepoint (nothing quoted, nothing that tells
 * whether the path exists).
 */
export async function savepointToRestore(given: string, config: Config): Promise<StoredCheckpoint> {
  const location = resolveAgainstSavepointDir(given, config);
  if (!location || !(await allowed(location, config))) throw badRequest(`'${given}' is not a readable savepoint`);
  return withTimeout(readCheckpointOrSuggest(location), timeoutMs(config), `reading '${given}'`)
    .catch((e: Error) => { throw badRequest(e.message); });
}
