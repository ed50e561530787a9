// Checks that an uploaded file is a sluice bundle and reads its plan, in a short-lived child process: the
// jobmanager never runs job code itself. A bundle only runs its job when it is the main module; here the
// main module is an inline script, so importing it just yields `job = { plan, factory }`.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { JobPlan } from '../core/plan.js';

const INSPECT = `
const done = (o) => process.stdout.write(JSON.stringify(o), () => process.exit(0));
try {
  const m = await import(process.env.SLUICE_INSPECT_BUNDLE);
  const job = m.job;
  if (!job || typeof job !== 'object' || typeof job.factory !== 'function' || !job.plan) done({ error: 'it exports no job = { plan, factory }' });
  else done({ plan: job.plan });
} catch (e) {
  done({ error: 'it does not load: ' + (e && e.message ? e.message.split('\\n')[0] : String(e)) });
}`;

const planShape = z.object({
  name: z.string(),
  args: z.array(z.string()),
  config: z.record(z.string(), z.string()),
  nodes: z.array(z.object({ id: z.string(), kind: z.string() }).passthrough()).min(1),
  udfs: z.array(z.unknown()),
});

export type InspectResult = { plan: JobPlan } | { error: string };

export function inspectBundle(file: string, timeoutMs = 30_000): Promise<InspectResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', INSPECT], {
      env: { PATH: process.env.PATH ?? '', SLUICE_INSPECT_BUNDLE: pathToFileURL(file).href, SLUICE_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code, signal) => {
      if (signal) return resolve({ error: `inspecting it took longer than ${timeoutMs} ms` });
      try {
        const parsed = JSON.parse(out) as { plan?: unknown; error?: string };
        if (parsed.error) return resolve({ error: parsed.error });
        const plan = planShape.safeParse(parsed.plan);
        resolve(plan.success ? { plan: parsed.plan as JobPlan } : { error: 'its exported plan is not a sluice job plan' });
      } catch {
        resolve({ error: `it does not load (exit ${code}): ${err.trim().split('\n').find((l) => /Error/.test(l)) ?? err.trim().slice(0, 200)}` });
      }
    });
  });
}
