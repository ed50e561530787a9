// Puts a Flink run's results into expected.json. A run of the whole corpus replaces the file; a run of some
// families replaces just those families' cases and keeps the others, and either way a case that left the
// corpus leaves the file too. Keys stay sorted, so that two people adding cases of different families touch
// different lines.
//   npx tsx test/conformance/flink/merge-expected.ts <flink.json> <expected.json> [family ...]
import fs from 'node:fs';
import { CASES } from '../corpus.js';

interface Expected { engine: string; cases: Record<string, unknown> }
const [fresh, target, ...families] = process.argv.slice(2);
if (!fresh || !target) throw new Error('usage: merge-expected.ts <flink.json> <expected.json> [family ...]');
const run = JSON.parse(fs.readFileSync(fresh, 'utf8')) as Expected;
const old: Expected = families.length && fs.existsSync(target) ? JSON.parse(fs.readFileSync(target, 'utf8')) : { engine: run.engine, cases: {} };
const inCorpus = new Set(CASES.map((c) => c.id));
const merged: Record<string, unknown> = {};
for (const id of [...new Set([...Object.keys(old.cases), ...Object.keys(run.cases)])].sort()) {
  if (!inCorpus.has(id)) continue;
  merged[id] = id in run.cases ? run.cases[id] : old.cases[id];
}
// The same layout as run_flink.py writes (keys sorted, one-space indent).
fs.writeFileSync(target, `${JSON.stringify({ cases: merged, engine: run.engine }, null, 1)}\n`);
console.error(`${Object.keys(run.cases).length} cases from Flink, ${Object.keys(merged).length} in ${target}`);
