// Profiles one workload's sluice run the way the benchmark runs it (bundle, capture hook, same input) with
// node --cpu-prof, and prints where the time goes: self time per function, and per part of the pipeline.
//   npx tsx bench/profile.ts q0 [--rows 10000000] [--unfused] [--engine hand] [--top 25]
// The .cpuprofile is kept in bench/.work/profiles/ (open it in Chrome DevTools or speedscope for the tree).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launch, prepare, type EngineName } from './lib/engines.js';
import { WORK_DIR } from './lib/workloads.js';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[] }

const argv = process.argv.slice(2);
const get = (flag: string, fallback: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : fallback; };
const workload = argv[0];
if (!workload || workload.startsWith('--')) throw new Error('usage: npx tsx bench/profile.ts <workload> [--rows N] [--unfused] [--engine sluice|sluice-unfused|hand] [--top N]');
const rows = Number(get('--rows', '10000000'));
const engine = (argv.includes('--unfused') ? 'sluice-unfused' : get('--engine', 'sluice')) as EngineName;
const top = Number(get('--top', '25'));

await prepare([engine], [workload], (s) => console.error(s));
const dir = path.join(WORK_DIR, 'profiles');
fs.mkdirSync(dir, { recursive: true });
const answer = path.join(dir, `${engine}-${workload}.csv`);
const l = await launch(engine, workload, rows, answer);
const name = `${engine}-${workload}-${rows}.cpuprofile`;
const r = spawnSync(l.command, ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, ...l.args], { env: l.env, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);

const profile = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map<number, number>();
for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const self = new Map<string, number>();
for (const [id, c] of counts) {
  const f = byId.get(id)!.callFrame;
  const key = `${f.functionName || '(anonymous)'}  ${path.basename(f.url) || '-'}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + c);
}
const total = profile.samples.length;
console.log(`${engine} ${workload}, ${rows} rows: ${total} samples; self time by function`);
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${k}`);

// The same time by part of the pipeline: a bundle keeps esbuild's '// <source path>' line before each module,
// so a sample's line in the bundle names its module; code made with new Function (the csv fast path, row
// builders) has no file and is named by its function.
const modulesOf = new Map<string, { line: number; module: string }[]>();
function moduleAt(url: string, line: number): string | null {
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  if (!file.endsWith('.mjs') || !fs.existsSync(file)) return null;
  let marks = modulesOf.get(file);
  if (!marks) {
    marks = [];
    fs.readFileSync(file, 'utf8').split('\n').forEach((l, i) => { const m = /^\/\/ ((?:runtime|compiler|node_modules|bench|udfs)\/\S+|\S+-entry\.ts)$/.exec(l); if (m) marks!.push({ line: i, module: m[1] }); });
    modulesOf.set(file, marks);
  }
  let found: string | null = null;
  for (const mk of marks) { if (mk.line <= line) found = mk.module; else break; }
  return found;
}
function part(f: ProfileNode['callFrame']): string {
  if (f.functionName.startsWith('(')) return f.functionName === '(garbage collector)' ? 'GC' : f.functionName === '(idle)' ? 'idle (waiting for I/O)' : 'other';
  if (f.url.includes('capture-hook')) return 'bench capture sink (answer checksum)';
  if (f.url === '' && f.functionName === 'fastCsv') return 'decoding (runtime/formats)';
  if (f.url === '') return 'generated helpers (row builders)';
  if (f.url.startsWith('node:') || !f.url.includes('/')) {
    const u = f.url.replace(/^node:(internal\/)?/, '');
    if (/^(modules|bootstrap|per_context|process)\b/.test(u) || f.functionName === 'compileSourceTextModule') return 'start-up (Node loading the bundle)';
    if (/^(buffer|encoding)$/.test(u) || f.functionName === 'utf8Slice') return 'Node: file bytes to strings';
    if (/^fs\b/.test(u) || f.functionName === 'read') return 'Node: file reads';
    return `Node internals (${u || f.functionName})`;
  }
  const m = moduleAt(f.url, f.lineNumber);
  if (m === null) return 'other';
  if (m.endsWith('-entry.ts')) return 'generated stages';
  if (m.startsWith('runtime/formats/')) return 'decoding (runtime/formats)';
  if (m.startsWith('runtime/connectors/collect/')) return 'collect sink (row copy for the capture)';
  const dir = m.split('/').slice(0, 3).join('/');
  return dir.startsWith('node_modules/') ? `library ${m.split('/')[1]}` : dir;
}
const parts = new Map<string, number>();
for (const [id, c] of counts) { const k = part(byId.get(id)!.callFrame); parts.set(k, (parts.get(k) ?? 0) + c); }
console.log('\nself time by part of the pipeline');
for (const [k, c] of [...parts].sort((a, b) => b[1] - a[1])) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${k}`);
console.log(`profile: ${path.relative(process.cwd(), path.join(dir, name))}`);
