// The only esbuild importer: writes one standalone ES module holding the plan, the generated stages, the
// runtime with the connectors the job uses and the UDF modules the job uses. It runs with plain `node x.mjs`,
// anywhere, with no node_modules; 'sluice' inside UDF modules resolves to the runtime's small UDF API.
//
// Connectors: every connector's light definition (connector.ts: option schema, checks) is in every bundle,
// so run-time overrides are validated as before; an implementation (and its client library: kafkajs,
// mysql2, ...) only when the plan names the connector or it is one of ALWAYS_CARRIED. A connector's
// implementation is what its definition's load() imports dynamically: the plugin below replaces those imports
// of the connectors left out by a module that throws a UserError saying so.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { Connector } from '../../runtime/core/connector.js';
import { UserError } from '../../runtime/core/errors.js';
import type { JobPlan } from '../../runtime/core/plan.js';
import { connectors as registered } from '../../runtime/connectors/registry.js';
import type { GeneratedCode } from '../codegen/emit-stages.js';

const runtimeDir = path.resolve(fileURLToPath(new URL('../../runtime', import.meta.url)));
const connectorsDir = path.join(runtimeDir, 'connectors');
const kafkaTransportLoader = path.join(runtimeDir, 'exec', 'parallel', 'load-kafka-transport.ts');

/**
 * Carried by every bundle whatever its plan names, as the connectors declare (bundle: 'always'): they need no
 * client library (~40 KB together) and are what run-time swaps usually go to (`--set t.connector=...`).
 */
export const ALWAYS_CARRIED: readonly string[] = [...registered.values()].filter((c) => c.bundle === 'always').map((c) => c.name);

export interface BundleOptions {
  /** Connectors to carry besides the plan's and ALWAYS_CARRIED (to swap a table to them at run time); 'all' for every one. */
  connectors?: readonly string[] | 'all';
}

/** The connectors whose implementations a bundle of this plan carries, sorted. */
export function carriedConnectors(plan: JobPlan, options: BundleOptions = {}): string[] {
  if (options.connectors === 'all') return [...registered.keys()].sort();
  const names = new Set([...ALWAYS_CARRIED, ...(options.connectors ?? [])]);
  for (const n of plan.nodes) if (n.kind === 'source' || n.kind === 'sink') names.add(n.connector);
  for (const name of names) {
    if (!registered.has(name)) throw new UserError(`cannot bundle connector '${name}': no such connector`, `the connectors: ${[...registered.keys()].join(', ')}`);
  }
  return [...names].sort();
}

export async function bundleJob(plan: JobPlan, code: GeneratedCode, root: string, out: string, options: BundleOptions = {}): Promise<string> {
  const carried = carriedConnectors(plan, options);
  const udfModules = [...new Set(plan.udfs.map((u) => path.resolve(root, u.module)))];
  const entry = [
    `import { bundleMain } from ${JSON.stringify(path.join(runtimeDir, 'cli/bundle-main.ts'))};`,
    ...udfModules.map((m) => `import ${JSON.stringify(m)};`),
    `export const job = { plan: ${JSON.stringify(plan, dropSourceLocations)}, factory: ${code.factory}, carried: ${JSON.stringify(carried)} };`,
    `await bundleMain(job, import.meta.url);`,
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
    // udf(function gradeOf() {...}) registers under the function's name: renaming it to avoid a clash would change it.
    keepNames: true,
    alias: { sluice: fileURLToPath(new URL('../api/bundle-exports.ts', import.meta.url)) },
    plugins: [leaveOutConnectors(new Set(carried)), kafkajsAbortedFilter],
    // CommonJS dependencies (kafkajs, mysql2) call require() for Node builtins.
    banner: { js: "import { createRequire as __sluiceRequire } from 'node:module'; const require = __sluiceRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'error',
  });
  return outfile;
}

/**
 * Replaces the dynamic imports made by a connector's definition (runtime/connectors/<dir>/connector.ts) when
 * none of the connectors it exports is carried: those imports are the implementation that its load() brings
 * in. Which connectors a definition exports is read from the module itself (the compiler has it loaded
 * already, through the registry), so no list here has to follow the folders.
 */
function leaveOutConnectors(carried: ReadonlySet<string>): Plugin {
  const kafkaClientCarried = [...carried].some((name) => registered.get(name)?.bringsKafkaClient === true);
  const defined = new Map<string, Promise<string[]>>();
  const definedIn = (file: string) => {
    let names = defined.get(file);
    if (!names) {
      names = import(pathToFileURL(file).href).then((m: Record<string, unknown>) => Object.values(m).filter(isConnector).map((c) => c.name));
      defined.set(file, names);
    }
    return names;
  };
  return {
    name: 'sluice-leave-out-connectors',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, async (args) => {
        // The Kafka transport of exchanges across processes goes with the Kafka client, when a connector carried brings it.
        if (args.kind === 'dynamic-import' && args.importer === kafkaTransportLoader && !kafkaClientCarried) {
          return { path: 'exec/parallel/kafka-transport.ts', namespace: 'sluice-left-out-exchange' };
        }
        if (args.kind !== 'dynamic-import' || !args.importer.startsWith(connectorsDir + path.sep) || path.basename(args.importer) !== 'connector.ts') return undefined;
        const names = await definedIn(args.importer);
        if (names.length === 0 || names.some((n) => carried.has(n))) return undefined;
        return { path: `${path.relative(runtimeDir, args.importer)} → ${args.path}`, namespace: 'sluice-left-out', pluginData: names };
      });
      b.onLoad({ filter: /.*/, namespace: 'sluice-left-out-exchange' }, () => ({
        contents: [
          `import { UserError } from ${JSON.stringify(path.join(runtimeDir, 'core/errors.ts'))};`,
          "throw new UserError('this bundle carries no Kafka client, which the exchanges of a job spread over several taskmanagers go through',",
          "  'compile the job with --connector kafka, or run it where one taskmanager has a slot per subtask');",
        ].join('\n'),
        loader: 'ts',
        resolveDir: runtimeDir,
      }));
      b.onLoad({ filter: /.*/, namespace: 'sluice-left-out' }, (args) => ({
        contents: [
          `import { connectorNotCarried } from ${JSON.stringify(path.join(runtimeDir, 'cli/run-compiled.ts'))};`,
          `throw connectorNotCarried(${JSON.stringify((args.pluginData as string[])[0])}, null, ${JSON.stringify([...carried].sort())});`,
        ].join('\n'),
        loader: 'ts',
        resolveDir: runtimeDir,
      }));
    },
  };
}

/**
 * kafkajs's read_committed filter replaced by sluice's correction (runtime/connectors/kafka/aborted-filter.ts
 * says what it corrects); an unbundled process gets it through require's cache instead.
 */
const kafkajsAbortedFilter: Plugin = {
  name: 'sluice-kafkajs-aborted-filter',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]kafkajs[\\/]src[\\/]consumer[\\/]filterAbortedMessages\.js$/ }, () => ({
      contents: `module.exports = require(${JSON.stringify(path.join(runtimeDir, 'connectors/kafka/aborted-filter.ts'))}).filterAbortedMessages;`,
      loader: 'js',
      resolveDir: runtimeDir,
    }));
  },
};

function isConnector(v: unknown): v is Connector {
  const c = v as Partial<Connector> | null;
  return typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.load === 'function' && Array.isArray(c.roles);
}

/** Source locations serve compile errors only; a bundle carries no paths of the machine it was built on. */
function dropSourceLocations(key: string, value: unknown): unknown {
  return key === 'loc' || key === 'optionLocs' ? undefined : value;
}
