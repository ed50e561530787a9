// The `sluice` command line (commander). compile/explain/run-a-.ts load the compiler lazily: the runtime
// itself never depends on it, and a bundle carries none of it.
import path from 'node:path';
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { UserError } from '../core/errors.js';
import { LOG_FORMATS } from '../core/log.js';
import { withProgress } from './progress.js';
import { runCompiled } from './run-compiled.js';
import { registerClusterCommands } from './cluster-commands.js';
import { loadRunnable } from './load-runnable.js';
import { registerReconcileCommand } from './reconcile-command.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('sluice')
  .version(version, '-V, --version', 'print the version of sluice')
  .description('A stream processor for TypeScript: Flink-style Table API jobs, compiled ahead of time into one fused bundle.')
  .option('--log-format <format>', 'log lines: text (default, readable) or json (one JSON object a line; also SLUICE_LOG_FORMAT=json)')
  .showHelpAfterError()
  .exitOverride();

// Set before any logger exists, and inherited by the cluster's daemons and task processes.
program.hook('preAction', () => {
  const format = program.opts<{ logFormat?: string }>().logFormat;
  if (format === undefined) return;
  if (!(LOG_FORMATS as readonly string[]).includes(format)) throw new UserError(`--log-format ${format}: expected one of ${LOG_FORMATS.join(', ')}`);
  process.env.SLUICE_LOG_FORMAT = format;
});

const collect = (v: string, prev: string[]) => [...prev, v];

program.command('compile')
  .description('bundle a job into one standalone ES module; prints its path')
  .argument('<job>', 'job file (jobs/x.ts)')
  .option('-o, --output <file>', 'bundle path (default build/<job>.mjs)')
  .option('--connector <name>', "also carry this connector, to swap a table to it at run time (repeatable; 'all': every one)", collect, [])
  .option('-D <key=value>', 'configuration the bundle carries (repeatable), e.g. execution.runtime-mode=batch', collect, [])
  .argument('[args...]', 'job arguments, after --')
  .action(async (job: string, args: string[], opts: { output?: string; connector: string[]; D: string[] }) => {
    const out = opts.output ?? path.join('build', `${path.basename(job, path.extname(job))}.mjs`);
    const connectors = opts.connector.includes('all') ? 'all' : opts.connector;
    const result = await withProgress(`compiling ${job}`, async (p) => {
      p.step('loading the compiler');
      const { compileJob } = await import('../../compiler/index.js');
      const { definedConfig } = await import('../exec/apply-overrides.js');
      return compileJob(job, { args, out, connectors, progress: p.step, config: definedConfig(opts.D) });
    }, () => `compiled ${job}`);
    // The path as the user gave it (-o /abs/x.mjs stays absolute); the default is relative to here.
    console.log(opts.output ?? path.relative(process.cwd(), result.bundlePath!));
  });

program.command('explain')
  .description('print the logical plan, the optimized plan and the fused stages')
  .argument('<job>', 'job file')
  .argument('[args...]', 'job arguments, after --')
  .action(async (job: string, args: string[]) => {
    const { compileJob } = await import('../../compiler/index.js');
    process.stdout.write((await compileJob(job, { args })).explain);
  });

program.command('run')
  .description('run a job: submitted to the cluster with -d (or when one is running), else in the foreground (local mini cluster)')
  .argument('<target>', 'bundle (build/x.mjs) or job file (jobs/x.ts)')
  .argument('[args...]', 'job arguments, after --')
  .option('--set <table.option=value>', 'override a table option (repeatable)', collect, [])
  .option('-D <key=value>', 'set a configuration key (repeatable)', collect, [])
  .option('--unfused', 'run every operator separately, interpreted (for comparison)')
  .option('-d, --detached', 'submit to the cluster and print the job id')
  .option('-s, --fromSavepoint <path>', 'resume from a savepoint (or a retained checkpoint)')
  .option('-n, --allow-non-restored-state', 'skip savepoint state of operators that are not in the job')
  .option('-p, --parallelism <n>', 'parallelism: every operator runs as n parallel subtasks (else parallelism.default, else 1)')
  .option('-m, --jobmanager <host:port>', "jobmanager REST address (default: the cluster directory's, else 127.0.0.1:8081)")
  .option('--dir <dir>', 'cluster directory (default $SLUICE_CLUSTER_DIR or .sluice)')
  .action(async (target: string, args: string[], opts: import('./job-commands.js').SubmitOptions) => {
    const { submitIfCluster } = await import('./job-commands.js');
    if (await submitIfCluster(target, args, opts)) return;
    const job = await loadRunnable(target, args, opts.D);
    await runCompiled(job, {
      sets: opts.set, defines: opts.D, unfused: opts.unfused, fromSavepoint: opts.fromSavepoint, allowNonRestoredState: opts.allowNonRestoredState,
      // Parallel subtasks start from the bundle (a job file's is written from what was compiled here).
      ...(target.endsWith('.mjs') || target.endsWith('.js') ? { bundle: path.resolve(target) } : {}),
      ...(opts.parallelism !== undefined ? { parallelism: Number(opts.parallelism) } : {}),
    });
  });

program.command('udfs')
  .description('list the UDFs in udfs/ with their signatures')
  .action(async () => {
    const { listUdfs } = await import('../../compiler/index.js');
    process.stdout.write(await listUdfs(process.cwd()));
  });

program.command('datagen')
  .description("write one of the playgrounds' data sets to a Kafka topic, throttled as the playground's generator")
  .argument('<kind>', 'clicks | transactions | payments')
  .option('--topic <topic>', "topic (default: the playground's: input, transactions, payment_msg)")
  .option('--rate <n>', 'records per second (0: unthrottled)')
  .option('--count <n>', 'stop after n records (default: until Ctrl-C)')
  .option('--bootstrap-servers <hosts>', 'Kafka bootstrap servers (default $KAFKA_BOOTSTRAP or localhost:9092)')
  .option('--seed <n>', 'fixed seed for reproducible data', Number)
  .option('--partitions <n>', 'create the topic with n partitions when it does not exist (default: auto-created with the broker\'s num.partitions)')
  .action(async (kind: string, opts: { topic?: string; rate?: string; count?: string; bootstrapServers?: string; seed?: number; partitions?: string }) => {
    const { runDatagenCommand } = await import('./datagen-command.js');
    await runDatagenCommand(kind, opts);
  });

registerClusterCommands(program);
registerReconcileCommand(program);

/** One-line reasons: `file:line:col: error: ...` for compile errors, `error: ...` and a hint otherwise. */
function report(e: unknown): never {
  const err = e as Error & { format?: () => string; hint?: string; code?: string; exitCode?: number };
  if (err.code?.startsWith?.('commander.')) process.exit(err.exitCode ?? 1);
  if (typeof err.format === 'function') console.error(err.format());
  else console.error(`error: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`);
  if (process.env.SLUICE_DEBUG) console.error(err.stack);
  process.exit(1);
}

// Output piped into a command that exits early (`| head`) ends the run quietly, as other CLI tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

try {
  await program.parseAsync(process.argv);
  process.exit(0);
} catch (e) {
  report(e);
}
