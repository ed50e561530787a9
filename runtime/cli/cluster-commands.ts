// The cluster's commands on the `sluice` command line: cluster start|stop|status, taskmanager start|stop,
// jobmanager/taskmanager start-foreground (what the daemons run), and the job commands list, stop,
// savepoint, cancel. Only registration here; the work is imported when a command runs, so the rest of the
// CLI does not load fastify or the cluster.
import type { Command } from 'commander';

const collect = (v: string, prev: string[]) => [...prev, v];
const DIR_HELP = 'cluster directory: pid files, logs, checkpoints (default $SLUICE_CLUSTER_DIR or .sluice)';
const JM_HELP = 'jobmanager REST address (default: the cluster directory\'s, else 127.0.0.1:8081)';

function oneOf(action: string, allowed: string[], command: string): void {
  if (!allowed.includes(action)) throw Object.assign(new Error(`${command}: unknown action '${action}' (expected ${allowed.join(' | ')})`), { hint: `sluice ${command} --help` });
}

export function registerClusterCommands(program: Command): void {
  program.command('cluster')
    .description('start, stop or show the local session cluster: a jobmanager (REST on 127.0.0.1:8081) and its taskmanagers (one unless --taskmanagers)')
    .argument('<action>', 'start | stop | status')
    .option('--dir <dir>', DIR_HELP)
    .option('--rest-port <port>', 'REST port of the jobmanager (default 8081)')
    .option('--rest-address <address>', 'address the REST API binds to (default 127.0.0.1; others need a token)')
    .option('--slots <n>', 'slots of each taskmanager (default 2: taskmanager.numberOfTaskSlots)')
    .option('--taskmanagers <n>', 'start: how many taskmanagers to run here (default 1; 0: the jobmanager only), each with --slots slots')
    .option('-D <key=value>', 'cluster configuration (repeatable)', collect, [])
    .action(async (action: string, opts: { dir?: string; restPort?: string; restAddress?: string; slots?: string; taskmanagers?: string; D: string[] }) => {
      oneOf(action, ['start', 'stop', 'status'], 'cluster');
      const a = await import('./cluster-actions.js');
      if (action === 'start') await a.clusterStart(opts);
      else if (action === 'stop') await a.clusterStop(opts);
      else if (!(await a.clusterStatus(opts))) process.exit(1);
    });

  program.command('taskmanager')
    .description('start or stop a taskmanager of the running cluster (start-foreground: run one in this process)')
    .argument('<action>', 'start | stop | start-foreground')
    .option('--dir <dir>', DIR_HELP)
    .option('--slots <n>', 'task slots (default 2: taskmanager.numberOfTaskSlots)')
    .option('--all', 'stop: every taskmanager, not only the last started')
    .option('-m, --jobmanager <url>', 'start, start-foreground: the jobmanager\'s REST URL (default: from the cluster directory; another machine\'s needs its cluster secret)')
    .option('--index <n>', 'internal: the daemon slot (taskmanager-<n>.pid)')
    .option('-D <key=value>', 'configuration (repeatable)', collect, [])
    .action(async (action: string, opts: { dir?: string; slots?: string; all?: boolean; jobmanager?: string; index?: string; D: string[] }) => {
      oneOf(action, ['start', 'stop', 'start-foreground'], 'taskmanager');
      if (action === 'start-foreground') {
        const { runTaskmanager } = await import('./cluster-processes.js');
        return runTaskmanager({ dir: opts.dir, slots: opts.slots, index: opts.index, jobmanager: opts.jobmanager, defines: opts.D });
      }
      const a = await import('./cluster-actions.js');
      if (action === 'start') await a.taskmanagerStart(opts);
      else await a.taskmanagerStop(opts);
    });

  program.command('jobmanager')
    .description('run the jobmanager in this process (what `cluster start` runs in the background)')
    .argument('<action>', 'start-foreground')
    .option('--dir <dir>', DIR_HELP)
    .option('--rest-port <port>', 'REST port (default 8081)')
    .option('--rest-address <address>', 'REST bind address (default 127.0.0.1)')
    .option('-D <key=value>', 'configuration (repeatable)', collect, [])
    .action(async (action: string, opts: { dir?: string; restPort?: string; restAddress?: string; D: string[] }) => {
      oneOf(action, ['start-foreground'], 'jobmanager');
      const { runJobmanager } = await import('./cluster-processes.js');
      await runJobmanager({ dir: opts.dir, restPort: opts.restPort, restAddress: opts.restAddress, defines: opts.D });
    });

  program.command('list')
    .description('list the jobs of the cluster, as `flink list`')
    .option('-a, --all', 'also show terminated jobs')
    .option('-m, --jobmanager <host:port>', JM_HELP)
    .option('--dir <dir>', DIR_HELP)
    .action(async (opts: { all?: boolean; jobmanager?: string; dir?: string }) => {
      const { listJobs } = await import('./job-commands.js');
      await listJobs(opts);
    });

  program.command('stop')
    .description('stop a job with a savepoint (it ends FINISHED); prints the savepoint path')
    .argument('<jobId>', 'job id')
    .option('-p, --savepointPath <dir>', 'savepoint directory (default state.savepoints.dir: <cluster dir>/savepoints)')
    .option('-d, --drain', 'end the input first: every window fires before the savepoint')
    .option('-m, --jobmanager <host:port>', JM_HELP)
    .option('--dir <dir>', DIR_HELP)
    .action(async (jobId: string, opts: { savepointPath?: string; drain?: boolean; jobmanager?: string; dir?: string }) => {
      const { stopJob } = await import('./job-commands.js');
      await stopJob(jobId, opts);
    });

  program.command('savepoint')
    .description('take a savepoint of a running job; prints its path')
    .argument('<jobId>', 'job id')
    .argument('[dir]', 'savepoint directory (default state.savepoints.dir: <cluster dir>/savepoints)')
    .option('-m, --jobmanager <host:port>', JM_HELP)
    .option('--dir <dir>', DIR_HELP)
    .action(async (jobId: string, dir: string | undefined, opts: { jobmanager?: string; dir?: string }) => {
      const { savepointJob } = await import('./job-commands.js');
      await savepointJob(jobId, dir, opts);
    });

  program.command('cancel')
    .description('cancel a job')
    .argument('<jobId>', 'job id')
    .option('-m, --jobmanager <host:port>', JM_HELP)
    .option('--dir <dir>', DIR_HELP)
    .action(async (jobId: string, opts: { jobmanager?: string; dir?: string }) => {
      const { cancelJob } = await import('./job-commands.js');
      await cancelJob(jobId, opts);
    });
}
