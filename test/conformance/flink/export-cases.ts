// Writes the corpus (cases.json) and its input files into a directory, for run_flink.py.
//   npx tsx test/conformance/flink/export-cases.ts <dir>
import fs from 'node:fs';
import path from 'node:path';
import { CASES } from '../corpus.js';
import { inputDdl, writeInputs } from '../inputs.js';

const dir = path.resolve(process.argv[2] ?? 'test/conformance/.work');
writeInputs(dir);
fs.writeFileSync(path.join(dir, 'cases.json'), JSON.stringify({ ddl: inputDdl(dir), cases: CASES }, null, 1));
const ids = new Set(CASES.map((c) => c.id));
if (ids.size !== CASES.length) throw new Error('duplicate case ids in the corpus');
console.error(`${CASES.length} cases written to ${dir}`);
