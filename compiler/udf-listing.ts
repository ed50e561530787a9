// `sluice udfs`: every UDF declared in udfs/ (scalar, table and aggregate functions), with its registered name and SQL signature.
import path from 'node:path';
import { typeToString } from '../runtime/core/data-types.js';
import { loadUdfFolder } from './frontend/load-job.js';

export async function listUdfs(root: string): Promise<string> {
  const udfs = await loadUdfFolder(path.join(root, 'udfs'));
  if (udfs.length === 0) return 'no UDFs in udfs/\n';
  return udfs.map((u) => `${u.name}(${u.inputTypes.map(typeToString).join(', ')}) → ${u.kind === 'table' ? 'rows ' : ''}${typeToString(u.resultType)}${u.kind === 'aggregate' ? ' (aggregate)' : ''}    ${path.relative(root, u.module)}: ${u.display}\n`).join('');
}
