// The jobmanager and taskmanager as processes: what `sluice jobmanager|taskmanager start-foreground` run
// (the CLI's `cluster start` and `taskmanager start` launch these detached). Each writes a pid file into the
// cluster directory, stops cleanly on SIGTERM/SIGINT, and removes what it wrote.
import { mkdirSync, rmSync } from 'node:fs';
import { createLogger } from '../core/log.js';
import { UserError } from '../core/errors.js';
import { startRestServer } from '../rest/server.js';
import { clusterPaths, isSluiceProcess, readJobmanagerState, readPid, removePidFile, writeJobmanagerState, writePid } from '../cluster/cluster-dir.js';
import { durationOption, intOption } from '../core/options.js';
import { isLoopback, loadClusterConfig, resolveToken, type Config } from '../cluster/config.js';
import { establishClusterSecret, readClusterSecret } from '../cluster/cluster-secret.js';
import { JobManager } from '../cluster/jobmanager.js';
import { TaskManager } from '../cluster/taskmanager.js';

export interface JobmanagerProcessOptions {
  dir?: string;
  restPort?: string;
  restAddress?: string;
  defines?: string[];
}

export async function runJobmanager(opts: JobmanagerProcessOptions): Promise<void> {
  const paths = clusterPaths(opts.dir);
  mkdirSync(paths.logDir, { recursive: true });
  const overrides: Config = {};
  if (opts.restPort !== undefined) overrides['rest.port'] = opts.restPort;
  if (opts.restAddress !== undefined) overrides['rest.address'] = opts.restAddress;
  const config = loadClusterConfig(paths, opts.defines ?? [], overrides);
  const token = resolveToken(config);
  const address = config['rest.address'];
  const port = intOption(config, 'rest.port', 8081, 0);
  if (!isLoopback(address) && !token) {
    throw new UserError(`rest.address ${address} is not a loopback address, and no token is configured`,
      'set SLUICE_REST_TOKEN (or rest.auth.token in <cluster dir>/config.yaml); clients then send Authorization: Bearer <token>');
  }
  const other = readPid(paths.jobmanagerPid);
  if (other !== process.pid && isSluiceProcess(other)) throw new UserError(`a jobmanager is already running in ${paths.root} (pid ${other})`);
  writePid(paths.jobmanagerPid);
  const log = createLogger('jobmanager');
  const clusterSecret = establishClusterSecret(paths, config);
  const jm = new JobManager(paths, config, log);
  await jm.open();
  let server;
  try {
    server = await startRestServer(jm, { address, port, token, clusterSecret, maxContentLength: intOption(config, 'rest.server.max-content-length', 100 * 1024 * 1024, 1), log });
  } catch (e) {
    jm.close();
    removePidFile(paths.jobmanagerPid);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserError(`cannot listen on ${address}:${port}: the port is in use`, 'another cluster? choose a port with --rest-port');
    throw e;
  }
  await writeJobmanagerState(paths, { pid: process.pid, url: server.url, address, port: server.port, startedAt: jm.startedAt });
  log.info({ url: server.url, dir: paths.root, token: token ? 'required' : 'none' }, `Rest endpoint listening at ${server.url}`);
  await untilSignal();
  log.info('shutting down the jobmanager');
  jm.close();
  await server.close();
  if (readJobmanagerState(paths)?.pid === process.pid) rmSync(paths.jobmanagerState, { force: true });
  removePidFile(paths.jobmanagerPid);
}

export interface TaskmanagerProcessOptions {
  dir?: string;
  slots?: string;
  index?: string;
  jobmanager?: string;
  defines?: string[];
}

export async function runTaskmanager(opts: TaskmanagerProcessOptions): Promise<void> {
  const paths = clusterPaths(opts.dir);
  const config = loadClusterConfig(paths, opts.defines ?? [], opts.slots !== undefined ? { 'taskmanager.numberOfTaskSlots': opts.slots } : {});
  const slots = intOption(config, 'taskmanager.numberOfTaskSlots', 2, 1);
  const index = opts.index === undefined ? null : Number(opts.index);
  const pidFile = index === null ? null : paths.taskmanagerPid(index);
  if (pidFile) {
    const other = readPid(pidFile);
    if (other !== process.pid && isSluiceProcess(other)) throw new UserError(`taskmanager ${index} is already running in ${paths.root} (pid ${other})`);
    writePid(pidFile);
  }
  const name = index === null ? `taskmanager-pid${process.pid}` : `taskmanager-${index}`;
  const log = createLogger(name);
  const tm = new TaskManager({
    paths, slots, index, jobmanagerUrl: opts.jobmanager ?? null, token: resolveToken(config), clusterSecret: () => readClusterSecret(paths, config), logFile: index === null ? null : paths.log(name), log,
    logName: name, cancellationTimeoutMs: durationOption(config, 'task.cancellation.timeout', 30_000),
  });
  const onSignal = () => tm.stop();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  log.info({ slots, dir: paths.root }, `Starting taskmanager with ${slots} slot${slots === 1 ? '' : 's'}`);
  try {
    await tm.run();
  } finally {
    if (pidFile) removePidFile(pidFile);
  }
  log.info('taskmanager stopped');
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { process.off('SIGTERM', done); process.off('SIGINT', done); resolve(); };
    process.on('SIGTERM', done);
    process.on('SIGINT', done);
  });
}
