// The only esbuild importer: writes one standalone ES module holding the plan, the generated stages, the
// runtime with its connectors and the UDF modules the job uses. It runs with plain `node x.mjs`, anywhere,
// with no node_modules; 'sluice' inside UDF modules resolves to the runtime's small UDF API.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { JobPlan } from '../../runtime/core/plan.js';
import type { GeneratedCode } from '../codegen/emit-stages.js';

const runtimeDir = path.resolve(fileURLToPath(new URL('../../runtime', import.meta.url)));

export async function bundleJob(plan: JobPlan, code: GeneratedCode, root: string, out: string): Promise<string> {
  const udfModules = [...new Set(plan.udfs.map((u) => path.resolve(root, u.module)))];
  const entry = [
    `import { bundleMain } from ${JSON.stringify(path.join(runtimeDir, 'cli/bundle-main.ts'))};`,
    ...udfModules.map((m) => `import ${JSON.stringify(m)};`),
    `export const job = { plan: ${JSON.stringify(plan, dropSourceLocations)}, factory: ${code.factory} };`,
    'await bundleMain(job, import.meta.url);',
  ].join('\n');
  const outfile = path.resolve(out);
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: `${plan.name}-entry.ts` },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    alias: { sluice: path.join(runtimeDir, 'core/udf-exports.ts') },
    // CommonJS dependencies (kafkajs, mysql2) call require() for Node builtins.
    banner: { js: "import { createRequire as __sluiceRequire } from 'node:module'; const require = __sluiceRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'error',
  });
  return outfile;
}

/** Source locations serve compile errors only; a bundle carries no paths of the machine it was built on. */
function dropSourceLocations(key: string, value: unknown): unknown {
  return key === 'loc' || key === 'optionLocs' ? undefined : value;
}
