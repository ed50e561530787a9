// docs/architecture.md is how a newcomer finds their way, so every file and folder it names must exist: a
// rename that forgets the page fails here. Checked: each `code span` that looks like a path (it has a '/' or
// a source file's extension and no spaces) and each relative link. A path with a folder must exist from the
// repository root or, for a short form like `state/group-state.ts`, as the end of an existing path; a bare
// file name must be some file's name.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DOC = path.join(ROOT, 'docs', 'architecture.md');
const SKIP = new Set(['node_modules', '.git', 'build', '.work', '.sluice', '.stack', '.venv-flink']);
const EXT = /\.(ts|mjs|js|md|json|sh|java|py)$/;

function walk(dir: string, out: string[]): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const rel = path.relative(ROOT, path.join(dir, e.name));
    if (e.isDirectory()) { out.push(rel + '/'); walk(path.join(dir, e.name), out); } else out.push(rel);
  }
  return out;
}

/** The names on the page that should be paths, with their line numbers. */
export function namedPaths(text: string): { name: string; line: number }[] {
  const found: { name: string; line: number }[] = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/`([^`\s]+)`/g)) {
      const t = m[1].replace(/[,.:;]$/, '');
      if (/^[\w./-]+$/.test(t) && (t.includes('/') || EXT.test(t)) && !t.startsWith('-') && !/^\d/.test(t)) found.push({ name: t, line: i + 1 });
    }
    for (const m of l.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      if (!/^[a-z]+:/.test(m[1])) found.push({ name: path.relative(ROOT, path.resolve(path.dirname(DOC), m[1])), line: i + 1 });
    }
  });
  return found;
}

describe('docs/architecture.md', () => {
  const files = walk(ROOT, []);
  const exists = (name: string) => {
    const n = name.replace(/^\.\//, '');
    if (!n.includes('/')) return files.some((f) => path.basename(f) === n);
    return files.some((f) => f === n || f.endsWith('/' + n) || f === n + '/' || f.endsWith('/' + n + '/'));
  };

  it('names only paths that exist', () => {
    const named = namedPaths(fs.readFileSync(DOC, 'utf8'));
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter((p) => !exists(p.name)).map((p) => `line ${p.line}: ${p.name}`)).toEqual([]);
  });

  it('catches a path that does not exist', () => {
    const named = namedPaths('see `runtime/exec/no-such-file.ts` and [x](no-such.md) but not `a b/c`');
    expect(named.map((p) => p.name)).toEqual(['runtime/exec/no-such-file.ts', 'docs/no-such.md']);
    expect(named.filter((p) => !exists(p.name)).length).toBe(2);
  });
});
