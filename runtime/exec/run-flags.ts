// Run-time flags shared by bundles and `sluice run`: --set, -D, --unfused, -p, -s, -n; anything after `--` is a job argument.
export interface RunFlags {
  sets: string[];
  defines: string[];
  unfused: boolean;
  /** -p / --parallelism (checked by the run: key-groups.ts parallelismOf). */
  parallelism?: number;
  /** -s / --fromSavepoint: a checkpoint or savepoint to resume from. */
  fromSavepoint?: string;
  /** -n / --allow-non-restored-state. */
  allowNonRestoredState?: boolean;
  args: string[];
}

export function parseRunFlags(argv: string[]): RunFlags {
  const flags: RunFlags = { sets: [], defines: [], unfused: false, args: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { flags.args.push(...argv.slice(i + 1)); break; }
    if (a === '--set') flags.sets.push(argv[++i]);
    else if (a.startsWith('--set=')) flags.sets.push(a.slice(6));
    else if (a === '-D') flags.defines.push(argv[++i]);
    else if (a.startsWith('-D')) flags.defines.push(a.slice(2));
    else if (a === '--unfused') flags.unfused = true;
    else if (a === '-p' || a === '--parallelism') flags.parallelism = Number(argv[++i]);
    else if (a.startsWith('--parallelism=')) flags.parallelism = Number(a.slice(14));
    else if (a === '-s' || a === '--fromSavepoint') flags.fromSavepoint = argv[++i];
    else if (a === '-n' || a === '--allow-non-restored-state') flags.allowNonRestoredState = true;
    else flags.args.push(a);
  }
  return flags;
}
