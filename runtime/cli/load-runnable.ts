// A job to run or replay from what the user names: a bundle (build/x.mjs) as it is, a job file compiled first.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompiledBundle } from '../core/bundle.js';
import { withProgress } from './progress.js';

export async function loadRunnable(target: string, args: string[]): Promise<CompiledBundle> {
  if (target.endsWith('.mjs') || target.endsWith('.js')) {
    const mod = (await import(pathToFileURL(path.resolve(target)).href)) as { job?: CompiledBundle };
    if (!mod.job) throw new Error(`${target} is not a sluice bundle (no exported job)`);
    return mod.job;
  }
  const { compileJobFile } = await import('./compile-job-file.js');
  return withProgress(`compiling ${target}`, (p) => compileJobFile(target, args, p.step), () => `compiled ${target}`);
}
