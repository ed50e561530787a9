// Run-time flags shared by bundles and `sluice run`: --set, -D, --unfused; anything after `--` is a job argument.
export interface RunFlags {
  sets: string[];
  defines: string[];
  unfused: boolean;
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
    else flags.args.push(a);
  }
  return flags;
}
