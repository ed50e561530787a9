// Runs the `sluice` command (or a bundle) as a child process, as a user would.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { tempDir } from './tables.js';

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface CliResult { status: number | null; stdout: string; stderr: string }

/**
 * The job's type check (compiler/frontend/typecheck-job.ts) is on only where a test asks for it (typecheck:
 * true, as test/cli/type-check.test.ts does): its first run emits the API's declarations, seconds of CPU that
 * would otherwise land on whichever test compiles first.
 */
export function sluice(args: string[], cwd = ROOT, options: { typecheck?: boolean } = {}): CliResult {
  const env = { ...process.env, SLUICE_LOG_LEVEL: 'warn', SLUICE_TYPECHECK: options.typecheck ? '1' : '0' };
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/sluice.mjs'), ...args], { cwd, encoding: 'utf8', timeout: 120_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function node(args: string[], cwd: string): CliResult {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH, SLUICE_LOG_LEVEL: 'warn' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Compiles `job` with the job's `args` (type-checked, as a user's `sluice compile` is), runs the bundle alone in
 * an empty directory (it must carry all it needs) and returns the lines it printed.
 */
export function compileAndRunAlone(job: string, args: string[]): string[] {
  const bundle = path.join(tempDir(), 'job.mjs');
  const c = sluice(['compile', job, '-o', bundle, '--', ...args], ROOT, { typecheck: true });
  expect(c.status, c.stderr).toBe(0);
  const alone = tempDir('sluice-alone-');
  fs.copyFileSync(bundle, path.join(alone, 'job.mjs'));
  const r = node(['job.mjs'], alone);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}
