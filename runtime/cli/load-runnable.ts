// A job to run or replay from what the user names: a bundle (build/x.mjs) as it is, a job file compiled first.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompiledBundle } from '../core/bundle.js';
import { definedConfig } from '../exec/apply-overrides.js';
import { withProgress } from './progress.js';

/** `defines` (-D key=value) reach the compiler too: a job file compiled for batch mode is checked as a batch. */
export async function loadRunnable(target: string, args: string[], defines: readonly string[] = []): Promise<CompiledBundle> {
  if (target.endsWith('.mjs') || target.endsWith('.js')) {
    const mod = (await import(pathToFileURL(path.resolve(target)).href)) as { job?: CompiledBundle };
    if (!mod.job) throw new Error(`${target} is not a sluice bundle (no exported job)`);
    return mod.job;
  }
  const { compileJobFile } = await import('./compile-job-file.js');
  const config = definedConfig(defines);
  return withProgress(`compiling ${target}`, (p) => compileJobFile(target, args, p.step, config), () => `compiled ${target}`);
}
