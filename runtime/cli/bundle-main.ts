// The main of a compiled bundle: `node build/job.mjs [--unfused] [-p n] [-s checkpoint] [--set t.o=v]... [-D k=v]...` runs the job.
// Imported by something else (the CLI, a taskmanager), the bundle only exports `job`. `carried` lists the
// connectors whose implementations the bundle holds (see compiler/bundle/bundle-job.ts).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CompiledBundle } from '../core/bundle.js';
import { runCompiled } from './run-compiled.js';
import { parseRunFlags } from '../exec/run-flags.js';

export async function bundleMain(job: CompiledBundle, moduleUrl: string, carried?: readonly string[]): Promise<void> {
  const main = process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  if (!main) return;
  try {
    const flags = parseRunFlags(process.argv.slice(2));
    if (flags.args.length) {
      console.error(`note: job arguments are compile-time inputs; this bundle was compiled with [${job.plan.args.join(' ')}], ignoring [${flags.args.join(' ')}]`);
    }
    await runCompiled(job, { ...flags, carried });
    process.exit(0);
  } catch (e) {
    console.error(`error: ${(e as Error).message}${(e as { hint?: string }).hint ? `\n  hint: ${(e as { hint?: string }).hint}` : ''}`);
    process.exit(1);
  }
}
