// What a bundle carries: every connector's definition, but the implementation (and client library) only of
// the connectors its job names plus the embedded ones; a table swapped at run time to a connector left out is a
// clear error before anything opens. The bundle still runs alone in an empty directory.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { compileJob } from '../../compiler/index.js';
import { ALWAYS_CARRIED, bundleJob, carriedConnectors } from '../../compiler/bundle/bundle-job.js';
import { node, sluice } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';

const FIXTURE = 'test/bundle/fixtures/datagen-print.ts';
/** esbuild marks every module with a `// <path>` line: which client libraries made it into a bundle. */
const clientLibraries = (text: string) => ['kafkajs', 'mysql2', 'iconv-lite'].filter((p) => text.includes(`// node_modules/${p}/`));
/** The connector folders whose source or sink modules (what a definition's load() imports) are in a bundle. */
const implementations = (text: string) => [...text.matchAll(/^\/\/ runtime\/connectors\/([\w-]+)\/(?:source|sink)\.ts$/gm)].map((m) => m[1]);

describe('bundle connectors', () => {
  it('a datagen → print bundle carries no client library and runs alone in an empty directory', () => {
    const work = tempDir();
    const bundle = path.join(work, 'job.mjs');
    const c = sluice(['compile', FIXTURE, '-o', bundle]);
    expect(c.status, c.stderr).toBe(0);
    const text = fs.readFileSync(bundle, 'utf8');
    expect(clientLibraries(text)).toEqual([]);
    // blackhole's implementation is inline in its definition.
    expect(new Set(implementations(text))).toEqual(new Set(['datagen', 'print', 'collect', 'filesystem']));
    // The runtime alone (operators, formats, the function table, the parallel runner): about 1.08 MB on 3 December 2026.
    expect(fs.statSync(bundle).size).toBeLessThan(1_200_000);
    const alone = tempDir('sluice-alone-');
    fs.copyFileSync(bundle, path.join(alone, 'job.mjs'));
    const r = node(['job.mjs'], alone);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('+I['));
    expect(rows.map((l) => Number(/^\+I\[(\d+),/.exec(l)![1])).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('a table swapped to a connector the bundle does not carry is an error before the job starts', () => {
    const work = tempDir();
    const bundle = path.join(work, 'job.mjs');
    expect(sluice(['compile', FIXTURE, '-o', bundle]).status).toBe(0);
    const r = node([bundle, '--set', 'printed.connector=kafka', '--set', 'printed.topic=t', '--set', 'printed.properties.bootstrap.servers=127.0.0.1:1', '--set', 'printed.format=csv'], work);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/table 'printed': connector 'kafka' is not in this bundle \(it carries blackhole, collect, datagen, filesystem, print\)/);
    expect(r.stderr).toMatch(/hint: .*sluice run <bundle>/);
    expect(r.stdout).not.toMatch(/\+I\[/);
    // `sluice run <bundle>` runs the plan on the CLI's own runtime, which has every connector: the swap gets as
    // far as connecting (to nothing here).
    const viaCli = sluice(['run', bundle, '--set', 'printed.connector=jdbc', '--set', 'printed.url=jdbc:mysql://127.0.0.1:1/x', '--set', 'printed.table-name=t',
      '--set', 'printed.sink.max-retries=0', '--set', 'printed.connection.max-retry-timeout=1s']);
    expect(viaCli.status).toBe(1);
    expect(viaCli.stderr).toMatch(/ECONNREFUSED/);
    expect(viaCli.stderr).not.toMatch(/not in this bundle/);
    // Swaps to the embedded connectors work as before.
    const out = path.join(work, 'out');
    const ok = node([bundle, '--set', 'printed.connector=filesystem', '--set', `printed.path=${out}`, '--set', 'printed.format=csv'], work);
    expect(ok.status, ok.stderr).toBe(0);
    expect(fs.readdirSync(out).flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter(Boolean))).toHaveLength(20);
  });

  it('a Kafka → MySQL job carries kafkajs and mysql2 but not the Elasticsearch sink, and runs swapped to embedded tables', async () => {
    const work = tempDir();
    const bundle = path.join(work, 'spend-report.mjs');
    const c = sluice(['compile', 'jobs/spend-report.ts', '-o', bundle]);
    expect(c.status, c.stderr).toBe(0);
    const text = fs.readFileSync(bundle, 'utf8');
    expect(clientLibraries(text)).toEqual(['kafkajs', 'mysql2', 'iconv-lite']);
    expect(new Set(implementations(text))).toEqual(new Set(['datagen', 'print', 'collect', 'filesystem', 'kafka', 'jdbc']));
    const r = node([bundle, '--set', 'transactions.connector=datagen', '--set', 'transactions.number-of-rows=30', '--set', 'transactions.rows-per-second=100000',
      '--set', 'spend_report.connector=print'], work);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\+I\[/m);
  });

  it('carries extra connectors when asked, or all of them', async () => {
    const compiled = await compileJob(FIXTURE);
    expect(carriedConnectors(compiled.plan)).toEqual([...ALWAYS_CARRIED].sort());
    expect(carriedConnectors(compiled.plan, { connectors: ['upsert-kafka'] })).toEqual([...ALWAYS_CARRIED, 'upsert-kafka'].sort());
    expect(carriedConnectors(compiled.plan, { connectors: 'all' })).toEqual(
      ['blackhole', 'collect', 'datagen', 'elasticsearch-7', 'filesystem', 'jdbc', 'kafka', 'print', 'upsert-kafka']);
    expect(() => carriedConnectors(compiled.plan, { connectors: ['kafak'] })).toThrow(/no such connector/);
    const out = path.join(tempDir(), 'job.mjs');
    await bundleJob(compiled.plan, compiled.code, process.cwd(), out, { connectors: ['upsert-kafka'] });
    const text = fs.readFileSync(out, 'utf8');
    // upsert-kafka's implementation is the kafka connector's source and sink.
    expect(clientLibraries(text)).toEqual(['kafkajs']);
    expect(new Set(implementations(text))).toEqual(new Set(['datagen', 'print', 'collect', 'filesystem', 'kafka']));
    await bundleJob(compiled.plan, compiled.code, process.cwd(), out, { connectors: 'all' });
    expect(new Set(implementations(fs.readFileSync(out, 'utf8')))).toEqual(new Set(['datagen', 'print', 'collect', 'filesystem', 'kafka', 'jdbc', 'elasticsearch']));
  });

  it('sluice compile --connector carries a connector the job does not name, and refuses an unknown name', () => {
    const bundle = path.join(tempDir(), 'job.mjs');
    const c = sluice(['compile', FIXTURE, '-o', bundle, '--connector', 'kafka']);
    expect(c.status, c.stderr).toBe(0);
    expect(clientLibraries(fs.readFileSync(bundle, 'utf8'))).toEqual(['kafkajs']);
    const bad = sluice(['compile', FIXTURE, '-o', bundle, '--connector', 'kafak']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/cannot bundle connector 'kafak': no such connector/);
  });
});
