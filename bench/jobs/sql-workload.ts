// A benchmark workload as a sluice job: the very SQL file the Flink Java and PyFlink peers run
// (bench/peers/sql/<name>.sql), so all engines execute the same statements. The peers' placeholders are
// filled the way their 'blackhole' mode fills them: ${input} with the CSV file, ${input:<kind>} with the file
// <kind>.csv beside it (a join's other table), ${sink:mode} with 'connector' = 'blackhole'. The bench harness
// then swaps the sink at run time (--set <sink>.connector=collect) to capture the answer; the input files are
// run-time options too (--set <table>.path=...).
import fs from 'node:fs';
import path from 'node:path';
import { defineJob, type JobDefinition } from 'sluice';
import { BENCH_DIR, inputFile, siblingInput, workloadInfo } from '../lib/workloads.js';

const sqlDir = path.join(BENCH_DIR, 'peers', 'sql');

/** Statements of a peer SQL file with its placeholders filled; comment lines dropped, split at `;` + newline. */
export function renderWorkloadSql(name: string, input: string): string[] {
  const script = fs.readFileSync(path.join(sqlDir, `${name}.sql`), 'utf8');
  const text = script.split('\n').filter((l) => !l.trim().startsWith('--')).join('\n')
    .replaceAll('${input}', input.replaceAll("'", "''"))
    .replace(/\$\{input:(\w+)\}/g, (_, kind: string) => siblingInput(input, kind).replaceAll("'", "''"))
    .replace(/\$\{sink:\w+\}/g, "'connector' = 'blackhole'");
  return text.split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The workload's own settings: its `-- config: key = value` lines, which every engine applies. */
export function workloadConfig(name: string): [string, string][] {
  const script = fs.readFileSync(path.join(sqlDir, `${name}.sql`), 'utf8');
  return [...script.matchAll(/^--\s*config:\s*([\w.-]+)\s*=\s*(.*?)\s*$/gm)].map((m) => [m[1], m[2]]);
}

/** `--input FILE` names the CSV file baked into the bundle (default: the 10 M-row input). */
export function sqlWorkload(name: string): JobDefinition {
  return defineJob(`bench-${name}`, (tEnv, params) => {
    for (const [key, value] of workloadConfig(name)) tEnv.getConfig().set(key, value);
    const input = params.get('input') ?? inputFile(10_000_000, workloadInfo(name).input);
    for (const statement of renderWorkloadSql(name, path.resolve(input))) tEnv.executeSql(statement);
  });
}
