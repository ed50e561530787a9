// `sluice cluster start|stop|status` and `sluice taskmanager start|stop`: the local session cluster's
// processes, as Flink's start-cluster.sh, stop-cluster.sh and taskmanager.sh. Everything lives in one
// directory (--dir, default .sluice/): pid files, logs, bundles, checkpoints, savepoints.
import { rmSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { clusterPaths, isSluiceProcess, liveTaskmanagers, readJobmanagerState, readPid, type ClusterPaths } from '../cluster/cluster-dir.js';
import { isLoopback, loadClusterConfig, resolveToken } from '../cluster/config.js';
import { nextTaskmanagerIndex, relativePath, spawnDaemon, stopProcess, waitForJobmanager, waitForTaskmanager } from '../cluster/daemons.js';
import { RestClient } from '../cluster/jobmanager-client.js';

export interface ClusterStartOptions {
  dir?: string;
  restPort?: string;
  restAddress?: string;
  slots?: string;
  /** How many taskmanagers the cluster runs (default 1). */
  taskmanagers?: string;
  D: string[];
}

/** --taskmanagers: a whole number; 0 starts the jobmanager only (taskmanagers join from other machines). */
function taskmanagerCount(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 64) throw new UserError(`--taskmanagers ${value}: expected a whole number from 0 to 64`);
  return n;
}

const dirArgs = (paths: ClusterPaths) => ['--dir', paths.root];
const defineArgs = (defines: string[]) => defines.flatMap((d) => ['-D', d]);

export async function clusterStart(opts: ClusterStartOptions): Promise<void> {
  const paths = clusterPaths(opts.dir);
  const wanted = taskmanagerCount(opts.taskmanagers);
  const running = readPid(paths.jobmanagerPid);
  if (isSluiceProcess(running)) {
    throw new UserError(`a cluster is already running in ${relativePath(paths.root)} (jobmanager pid ${running}, ${readJobmanagerState(paths)?.url ?? 'REST address unknown'})`, 'stop it with `sluice cluster stop`, or use another --dir and --rest-port');
  }
  // A stale address from a killed jobmanager must not be mistaken for the new one.
  rmSync(paths.jobmanagerState, { force: true });
  const config = loadClusterConfig(paths, opts.D, opts.restAddress !== undefined ? { 'rest.address': opts.restAddress } : {});
  const token = resolveToken(config);
  if (!isLoopback(config['rest.address']) && !token) {
    throw new UserError(`rest.address ${config['rest.address']} is not a loopback address, and no token is configured`,
      'set SLUICE_REST_TOKEN (or rest.auth.token in <cluster dir>/config.yaml); clients then send Authorization: Bearer <token>');
  }
  console.log(`Starting cluster in ${relativePath(paths.root)}.`);
  const args = ['jobmanager', 'start-foreground', ...dirArgs(paths), ...defineArgs(opts.D)];
  if (opts.restPort !== undefined) args.push('--rest-port', opts.restPort);
  if (opts.restAddress !== undefined) args.push('--rest-address', opts.restAddress);
  const pid = spawnDaemon(paths, 'jobmanager', args);
  const url = await waitForJobmanager(paths, pid, token);
  console.log(`Jobmanager started (pid ${pid}), REST API at ${url}; log ${relativePath(paths.log('jobmanager'))}`);
  // Taskmanagers that outlived a crashed jobmanager register with the new one by themselves: the cluster
  // gets them back instead of new taskmanagers beside them, and only the missing ones are started.
  const survivors = liveTaskmanagers(paths);
  const client = new RestClient(url, token);
  for (const t of survivors) {
    const name = `taskmanager-${t.index}`;
    const id = await waitForTaskmanager(paths, name, t.pid, client);
    console.log(`Taskmanager ${t.index} (pid ${t.pid}) was still running and registered as ${id}; log ${relativePath(paths.log(name))}`);
  }
  // One after the other: each takes the next free daemon slot (taskmanager-<n>.pid).
  for (let i = survivors.length; i < wanted; i++) await startTaskmanagerDaemon(paths, url, token, opts.slots, opts.D);
}

export async function taskmanagerStart(opts: { dir?: string; slots?: string; jobmanager?: string; D: string[] }): Promise<void> {
  const paths = clusterPaths(opts.dir);
  const token = resolveToken(loadClusterConfig(paths, opts.D));
  // A taskmanager on another machine is given the jobmanager's address (and its cluster secret, see "Several machines").
  if (opts.jobmanager !== undefined) return startTaskmanagerDaemon(paths, opts.jobmanager, token, opts.slots, opts.D, true);
  const state = readJobmanagerState(paths);
  if (!state || !isSluiceProcess(state.pid)) {
    throw new UserError(`no jobmanager is running in ${relativePath(paths.root)}`, 'start the cluster first: sluice cluster start, or give the jobmanager of another machine with -m <url>');
  }
  await startTaskmanagerDaemon(paths, state.url, token, opts.slots, opts.D);
}

async function startTaskmanagerDaemon(paths: ClusterPaths, url: string, token: string | null, slots: string | undefined, defines: string[], remote = false): Promise<void> {
  const index = nextTaskmanagerIndex(paths);
  const name = `taskmanager-${index}`;
  const args = ['taskmanager', 'start-foreground', ...dirArgs(paths), '--index', String(index), ...defineArgs(defines)];
  if (slots !== undefined) args.push('--slots', slots);
  if (remote) args.push('--jobmanager', url);
  const pid = spawnDaemon(paths, name, args);
  const id = await waitForTaskmanager(paths, name, pid, new RestClient(url, token));
  console.log(`Taskmanager ${index} started (pid ${pid}) as ${id}; log ${relativePath(paths.log(name))}, stdout ${relativePath(paths.out(name))}`);
}

export async function taskmanagerStop(opts: { dir?: string; all?: boolean }): Promise<void> {
  const paths = clusterPaths(opts.dir);
  const live = liveTaskmanagers(paths);
  if (live.length === 0) throw new UserError(`no taskmanager is running in ${relativePath(paths.root)}`);
  // As taskmanager.sh stop: the most recently started one, unless all are asked for.
  const targets = opts.all ? live : [live[live.length - 1]];
  await Promise.all(targets.map(async (t) => {
    await stopProcess(paths.taskmanagerPid(t.index));
    console.log(`Stopped taskmanager ${t.index} (pid ${t.pid}).`);
  }));
}

export async function clusterStop(opts: { dir?: string }): Promise<void> {
  const paths = clusterPaths(opts.dir);
  const tms = liveTaskmanagers(paths);
  const jm = readPid(paths.jobmanagerPid);
  if (tms.length === 0 && !isSluiceProcess(jm)) {
    rmSync(paths.jobmanagerPid, { force: true });
    rmSync(paths.jobmanagerState, { force: true });
    console.log(`No cluster is running in ${relativePath(paths.root)}.`);
    return;
  }
  // Taskmanagers first: they cancel their tasks cleanly while the jobmanager still answers.
  await Promise.all(tms.map(async (t) => {
    await stopProcess(paths.taskmanagerPid(t.index));
    console.log(`Stopped taskmanager ${t.index} (pid ${t.pid}).`);
  }));
  const pid = await stopProcess(paths.jobmanagerPid);
  if (pid !== null) console.log(`Stopped jobmanager (pid ${pid}).`);
  rmSync(paths.jobmanagerState, { force: true });
}

/** Prints what runs; false when no jobmanager is running (the command then exits 1). */
export async function clusterStatus(opts: { dir?: string }): Promise<boolean> {
  const paths = clusterPaths(opts.dir);
  const state = readJobmanagerState(paths);
  const pid = readPid(paths.jobmanagerPid);
  if (!isSluiceProcess(pid) || !state) {
    console.log(`No cluster is running in ${relativePath(paths.root)}.`);
    return false;
  }
  const client = new RestClient(state.url, resolveToken(loadClusterConfig(paths)));
  console.log(`Jobmanager: pid ${pid}, REST API at ${state.url}, up since ${new Date(state.startedAt).toISOString()}`);
  const overview = await client.get<Record<string, number>>('/overview', { timeoutMs: 5000 });
  const { taskmanagers } = await client.get<{ taskmanagers: { id: string; pid: number; slotsNumber: number; freeSlots: number }[] }>('/taskmanagers', { timeoutMs: 5000 });
  for (const t of taskmanagers) console.log(`Taskmanager ${t.id}: pid ${t.pid}, ${t.slotsNumber} slot${t.slotsNumber === 1 ? '' : 's'} (${t.freeSlots} free)`);
  if (taskmanagers.length === 0) console.log('No taskmanager is registered.');
  console.log(`Jobs: ${overview['jobs-running']} running, ${overview['jobs-finished']} finished, ${overview['jobs-cancelled']} cancelled, ${overview['jobs-failed']} failed`);
  return true;
}
