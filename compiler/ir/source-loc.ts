// Source locations of API calls, read from the call stack at the moment a job builds its plan, so that
// compile errors point at the user's line and column (tsx and vitest map stacks back to the .ts source).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLoc } from '../../runtime/core/plan.js';

const OWN_DIRS = [path.resolve(fileURLToPath(new URL('..', import.meta.url)))];

/** The first stack frame outside the compiler: where the user called the API. */
export function callerLoc(): SourceLoc | undefined {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = fileURLToPath(file.split('?')[0]);
    if (!path.isAbsolute(file) || file.includes('node_modules') || file.startsWith('node:')) continue;
    if (OWN_DIRS.some((d) => file.startsWith(d + path.sep))) continue;
    return { file, line: Number(m[2]), col: Number(m[3]) };
  }
  return undefined;
}

export function formatLoc(loc: SourceLoc | undefined): string {
  if (!loc) return '<unknown>';
  const rel = path.relative(process.cwd(), loc.file);
  return `${rel.startsWith('..') ? loc.file : rel}:${loc.line}:${loc.col}`;
}
