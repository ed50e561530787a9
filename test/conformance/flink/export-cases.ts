// Writes the corpus (cases.json) and its input files into a directory, for run_flink.py; with family names,
// only those families' cases.
//   npx tsx test/conformance/flink/export-cases.ts <dir> [family ...]
import fs from 'node:fs';
import path from 'node:path';
import { CASES } from '../corpus.js';
import { inputDdl, writeInputs } from '../inputs.js';

const dir = path.resolve(process.argv[2] ?? 'test/conformance/.work');
const families = process.argv.slice(3);
const known = new Set(CASES.map((c) => c.family));
const unknown = families.filter((f) => !known.has(f));
if (unknown.length) throw new Error(`no such family: ${unknown.join(', ')} (the corpus has ${[...known].join(', ')})`);
const ids = new Set(CASES.map((c) => c.id));
if (ids.size !== CASES.length) throw new Error('duplicate case ids in the corpus');
const cases = families.length ? CASES.filter((c) => families.includes(c.family)) : CASES;
writeInputs(dir);
fs.writeFileSync(path.join(dir, 'cases.json'), JSON.stringify({ ddl: inputDdl(dir), cases }, null, 1));
console.error(`${cases.length} cases written to ${dir}`);
