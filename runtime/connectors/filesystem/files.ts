// The input files of a filesystem table: the path itself, or every file under the directory, skipping hidden
// files and directories ('.' or '_' prefix, as Flink's file source does), in natural order so that part-0-2
// comes before part-0-10. Each file is one split.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';

// Made on first use: building a collator loads ICU data (~15 ms of start-up), which a job reading one file never needs.
let collator: Intl.Collator | undefined;

/** Natural order of paths, with plain code-unit order breaking ties so the order is total. */
export function compareFiles(a: string, b: string): number {
  collator ??= new Intl.Collator('en', { numeric: true });
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

const hidden = (name: string) => name.startsWith('.') || name.startsWith('_');

export async function listInputFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`path '${path}' does not exist`);
    throw e;
  }
  if (!info.isDirectory()) return [path];
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (hidden(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  await walk(path);
  return files.sort(compareFiles);
}
