// The layer rules of compiler/ and runtime/, written once (docs/architecture.md explains them). Paths are
// prefixes relative to the repository root. Every import counts, `import type` included (a layer's types are
// part of what it depends on), and so do dynamic imports. Besides these rules, no file may be on an import cycle.
export interface Rule {
  /** What the rule protects; the failure message quotes it. */
  name: string;
  /** Files the rule applies to. */
  from: string;
  /** Imports they may not make... */
  to: string[];
  /** ...but for these. */
  allow?: { from: string[]; to: string }[];
}

/** The folders whose imports are checked. */
export const SCOPE = ['compiler', 'runtime'];

export const RULES: Rule[] = [
  {
    name: 'runtime/core is the bottom layer: it imports nothing else of sluice',
    from: 'runtime/core/', to: ['runtime/', 'compiler/'], allow: [{ from: ['runtime/core/'], to: 'runtime/core/' }],
  },
  { name: 'runtime/state does not depend on runtime/exec', from: 'runtime/state/', to: ['runtime/exec/'] },
  { name: 'runtime/cluster does not depend on runtime/cli', from: 'runtime/cluster/', to: ['runtime/cli/'] },
  {
    name: 'runtime/ never imports compiler/: the CLI and the REST server reach it through compiler/index.ts only',
    from: 'runtime/', to: ['compiler/'], allow: [{ from: ['runtime/cli/', 'runtime/rest/'], to: 'compiler/index.ts' }],
  },
];
