// Loads a job file and runs its body against a plan-building TableEnvironment. Job files are TypeScript:
// the CLI runs under tsx and tests under vitest, both of which import .ts directly and map stack traces
// back to the source (which is how API calls learn their file:line:col).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobParams, type JobDefinition } from '../api/define-job.js';
import { FunctionRegistry } from '../api/function-registry.js';
import { TableEnvironment } from '../api/table-environment.js';
import { CompileError } from '../ir/diagnostics.js';
import { readUdfFile, readUdfFolder, type UdfDeclaration } from './read-udfs.js';
import { typecheckJob } from './typecheck-job.js';

export interface LoadedJob {
  name: string;
  tEnv: TableEnvironment;
  /** The UDFs of udfs/ and those the job file declares itself. */
  udfs: UdfDeclaration[];
  root: string;
}

/** The project root: the nearest folder above the job with a package.json. */
function projectRoot(from: string): string {
  let dir = path.dirname(path.resolve(from));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return path.dirname(path.resolve(from));
    dir = up;
  }
  return dir;
}

export async function loadJob(file: string, args: string[], options: { typecheck?: boolean } = {}): Promise<LoadedJob> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new CompileError(`job file not found: ${file}`, undefined);
  const root = projectRoot(abs);
  // Before anything of the job runs: a TypeScript error is reported as such, not as what it breaks later.
  if (options.typecheck ?? process.env.SLUICE_TYPECHECK !== '0') typecheckJob(abs, root);
  // Importing the job runs its own @udf/udf() registrations; their signatures are read like those of udfs/.
  const mod = (await import(pathToFileURL(abs).href)) as { default?: JobDefinition };
  const udfs = [...(await loadUdfFolder(path.join(root, 'udfs'))), ...readUdfFile(abs)];
  const job = mod.default;
  if (!job || job.kind !== 'sluice-job') {
    throw new CompileError(`${file} has no job: export default defineJob('name', (tEnv) => { ... })`, { file: abs, line: 1, col: 1 });
  }
  const tEnv = new TableEnvironment({ functions: new FunctionRegistry(readUdfsSignatures(udfs)), inJob: true });
  await job.body(tEnv, new JobParams(args));
  return { name: job.name, tEnv, udfs, root };
}

/**
 * Imports every module of a UDF folder (the decorator and the wrapper register their functions, with any
 * explicit types), then reads the signatures from source.
 */
export async function loadUdfFolder(dir: string): Promise<UdfDeclaration[]> {
  if (!fs.existsSync(dir)) return [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts') && !x.endsWith('.d.ts')).sort()) {
    await import(pathToFileURL(path.join(dir, f)).href);
  }
  return readUdfFolder(dir);
}

const readUdfsSignatures = (udfs: UdfDeclaration[]) => udfs.map(({ module: _module, display: _display, ...signature }) => signature);
