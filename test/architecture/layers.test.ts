// The layer rules (test/architecture/layers.ts) and no import cycles, over the import graph of compiler/
// and runtime/ as TypeScript reads it (static, type-only and dynamic imports of relative paths).
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../helpers/cli.js';
import { RULES, SCOPE } from './layers.js';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** File → the repository files it imports, both relative to the root. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of SCOPE.flatMap((d) => sourceFiles(path.join(ROOT, d)))) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.')).map((s) => {
      const abs = path.resolve(path.dirname(file), s);
      const ts_ = abs.replace(/\.js$/, '.ts');
      return fs.existsSync(ts_) ? ts_ : abs;
    });
    graph.set(path.relative(ROOT, file), [...new Set(targets.map((t) => path.relative(ROOT, t)))]);
  }
  return graph;
}

/** Strongly connected components of more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const graph = importGraph();

describe('layers', () => {
  it('reads the whole graph', () => {
    // A guard against a test that passes because it read nothing.
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('compiler/index.ts')).toContain('compiler/frontend/load-job.ts');
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      const broken = [...graph].flatMap(([from, targets]) => (!from.startsWith(rule.from) ? [] : targets
        .filter((to) => rule.to.some((p) => to.startsWith(p)))
        .filter((to) => !rule.allow?.some((a) => a.from.some((f) => from.startsWith(f)) && to.startsWith(a.to)))
        .map((to) => `${from} → ${to}`)));
      expect(broken).toEqual([]);
    });
  }

  it('no import cycles', () => {
    expect(cycles(graph).map((c) => c.join(' ↔ '))).toEqual([]);
  });
});
