// compileJob(file, options) → { plan, bundlePath, explain }: the whole compiler, from a job file to an
// optimized plan with generated stages and, when asked, a standalone bundle.
import path from 'node:path';
import { plainType } from '../runtime/core/data-types.js';
import { operatorsOf, type JobPlan, type UdfRef } from '../runtime/core/plan.js';
import { bundleJob } from './bundle/bundle-job.js';
import { emitStages, withCodeSizes, type GeneratedCode } from './codegen/emit-stages.js';
import { explainPlan } from './ir/explain.js';
import { loadJob, type LoadedJob } from './frontend/load-job.js';
import { CompileError, type CompileWarning } from './ir/diagnostics.js';
import { joinStateWarnings } from './passes/join-state-warnings.js';
import { optimize } from './passes/index.js';
import { fieldsRead } from '../runtime/core/expr.js';

// The compiler's one entrance for the runtime's CLI and REST server (test/architecture/layers.ts).
export { CompileError } from './ir/diagnostics.js';
export { instantiate } from './codegen/instantiate.js';
export { listUdfs } from './udf-listing.js';

export interface CompileOptions {
  /** Job arguments (they shape the plan and are recorded in the bundle). */
  args?: string[];
  /** Write a standalone bundle here. */
  out?: string;
  /** Connectors the bundle carries besides the ones the job names and the embedded ones ('all': every one). */
  connectors?: string[] | 'all';
  /** Type-check the job file first (default: true unless SLUICE_TYPECHECK=0; cached while the job and the API are unchanged). */
  typecheck?: boolean;
  /** Told each step as it starts, for the CLI's progress line. */
  progress?: (step: string) => void;
  /** Configuration given outside the job (`-D key=value`), over the job's own: the passes read the runtime mode. */
  config?: Record<string, string>;
}

export interface CompiledJob {
  logical: JobPlan;
  plan: JobPlan;
  code: GeneratedCode;
  explain: string;
  /** What compiles but is likely not meant (a join whose state grows forever); also printed to stderr. */
  warnings: CompileWarning[];
  bundlePath?: string;
  /** Writes this compiled job's bundle to `out` (as `out` does) without compiling again; returns its path. */
  writeBundle(out: string, connectors?: string[] | 'all'): Promise<string>;
}

export async function compileJob(file: string, options: CompileOptions = {}): Promise<CompiledJob> {
  const args = options.args ?? [];
  const progress = options.progress ?? (() => {});
  progress('loading and type-checking the job');
  const job = await loadJob(file, args, { typecheck: options.typecheck });
  progress('planning');
  const built = job.tEnv.buildPlan(job.name, args);
  const logical = options.config ? { ...built, config: { ...built.config, ...options.config } } : built;
  const optimized = optimize(logical);
  const warnings = joinStateWarnings(optimized);
  // Printed where the compiler runs (compile, explain, run job.ts), as Flink's planner logs its warnings.
  for (const w of warnings) process.stderr.write(w.format() + '\n');
  progress('generating code');
  const code = emitStages(optimized);
  const plan: JobPlan = {
    ...withCodeSizes(optimized, code.stageSizes),
    udfs: udfRefs(job, usedUdfs(optimized)),
  };
  const writeBundle = (out: string, connectors?: string[] | 'all') => bundleJob(plan, code, job.root, out, { connectors });
  const result: CompiledJob = { logical, plan, code, explain: explainPlan(logical, plan), warnings, writeBundle };
  if (options.out) progress('bundling');
  if (options.out) result.bundlePath = await writeBundle(options.out, options.connectors);
  return result;
}

/** Where each UDF the plan calls is declared, for the bundle to import it, and its types. */
function udfRefs(job: LoadedJob, used: Set<string>): UdfRef[] {
  const declared = new Map(job.udfs.map((u) => [u.name, u]));
  return [...used].sort().map((name) => {
    const registeredAs = job.tEnv.functions.temporary.get(name) ?? name;
    const decl = declared.get(registeredAs);
    const sig = job.tEnv.functions.udf(name);
    if (!decl || !sig) {
      // Registered with explicit types from a module the job imports: this process has it, a bundle would not.
      throw new CompileError(`UDF '${name}' is declared in a module that is neither the job file nor in udfs/, so a bundle cannot carry it`, undefined,
        'move its declaration into udfs/ (registered for every job) or into the job file');
    }
    return {
      name, module: path.relative(job.root, decl.module), ...(registeredAs !== name ? { registeredAs } : {}),
      inputTypes: sig.inputTypes.map(plainType), resultType: plainType(sig.resultType),
    };
  });
}

function usedUdfs(plan: JobPlan): Set<string> {
  const names = new Set<string>();
  const visit = (e: Parameters<typeof fieldsRead>[0]): void => {
    if (e.kind === 'udf') names.add(e.name);
    if (e.kind === 'call' || e.kind === 'udf') e.args.forEach(visit);
  };
  for (const n of operatorsOf(plan)) {
    if (n.kind === 'calc') { n.projections.forEach((p) => visit(p.expr)); if (n.filter) visit(n.filter); }
    if (n.kind === 'source') n.computed.forEach((c) => visit(c.expr));
    if ((n.kind === 'join' || n.kind === 'lookupJoin') && n.condition) visit(n.condition);
    if (n.kind === 'correlate') n.args.forEach(visit);
    if (n.kind === 'groupAggregate' || n.kind === 'windowAggregate') for (const a of n.aggs) if (a.udaf) names.add(a.udaf.name);
    if (n.kind === 'overAggregate') for (const c of n.calls) if (c.udaf) names.add(c.udaf.name);
  }
  return names;
}
