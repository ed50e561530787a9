// The runtime's one way to the compiler: a job file in, a runnable plan out, for `sluice run job.ts` and the
// dashboard's SQL preview. The compiler is loaded lazily, so the runtime never imports it and a bundle or a
// taskmanager never carries it.
import type { CompiledBundle } from '../core/bundle.js';

export async function compileJobFile(file: string, args: string[] = [], progress?: (step: string) => void, config?: Record<string, string>): Promise<CompiledBundle> {
  const { compileJob, instantiate } = await import('../../compiler/index.js');
  const compiled = await compileJob(file, { args, progress, config });
  return { plan: compiled.plan, factory: (_rt, udfs) => instantiate(compiled.code.factory, udfs), writeBundle: compiled.writeBundle };
}
