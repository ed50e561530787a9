// Reads job source files to map positions inside SQL string literals back to the job file: given where
// `executeSql(...)`/`sqlQuery(...)` was called (a V8 stack position), finds that call's SQL argument and
// maps each character of the SQL text to the file's line:col, through escapes, line breaks and `+` concatenation.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import type { SourceLoc } from '../../runtime/core/plan.js';

// ts-morph is loaded on first use (it takes about a second): importing the Table API stays cheap, and
// jobs without SQL, or SQL not written in a file, never pay for it.
const require = createRequire(import.meta.url);
let tsMorph: typeof TsMorph | undefined;
let project: TsMorph.Project | undefined;
const cache = new Map<string, { mtimeMs: number; size: number; file: TsMorph.SourceFile }>();

function morph(): typeof TsMorph {
  return (tsMorph ??= require('ts-morph') as typeof TsMorph);
}

/** The parsed job file, cached per path (re-read when the file changes). */
function jobSourceFile(path: string): TsMorph.SourceFile | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    return undefined;
  }
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.file;
  project ??= new (morph().Project)({
    skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true, skipLoadingLibFiles: true,
    compilerOptions: { allowJs: true },
  });
  const file = project.createSourceFile(path, fs.readFileSync(path, 'utf8'), { overwrite: true });
  cache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, file });
  return file;
}

/** A string as written in source: its value and, per UTF-16 unit, the file offset it came from (plus one for its end). */
interface LiteralText {
  text: string;
  positions: number[];
}

/**
 * Maps offsets in `sql` (UTF-16 units) to locations in the job file, when `sql` is the literal first argument of
 * the call at `callLoc`. Undefined when the file cannot be read or the SQL is computed (callers fall back to callLoc).
 */
export function sqlLocator(callLoc: SourceLoc, sql: string): ((offset: number) => SourceLoc) | undefined {
  const file = jobSourceFile(callLoc.file);
  if (!file) return undefined;
  const arg = findSqlArgument(file, callLoc, sql);
  if (!arg) return undefined;
  return (offset) => {
    const pos = arg.positions[Math.max(0, Math.min(offset, arg.positions.length - 1))];
    const { line, column } = file.getLineAndColumnAtPos(pos);
    return { file: callLoc.file, line, col: column };
  };
}

/** The innermost call around the stack position whose first argument reads as exactly `sql`. */
function findSqlArgument(file: TsMorph.SourceFile, loc: SourceLoc, sql: string): LiteralText | undefined {
  const { Node } = morph();
  let pos: number;
  try {
    pos = file.compilerNode.getPositionOfLineAndCharacter(loc.line - 1, loc.col - 1);
  } catch {
    return undefined;
  }
  const at = file.getDescendantAtPos(pos);
  if (!at) return undefined;
  for (const node of [at, ...at.getAncestors()]) {
    if (!Node.isCallExpression(node)) continue;
    const arg = node.getArguments()[0];
    const text = arg && literalText(arg);
    if (text && text.text === sql) return text;
  }
  return undefined;
}

/** A string literal, a template without substitutions, a `+` chain of those, or a const initialized with one. */
function literalText(node: TsMorph.Node, seen = new Set<TsMorph.Node>()): LiteralText | undefined {
  const { Node, SyntaxKind } = morph();
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
    return decodeLiteral(node.getSourceFile().getFullText(), node.getStart(), node.getEnd(), Node.isNoSubstitutionTemplateLiteral(node));
  }
  if (Node.isParenthesizedExpression(node)) return literalText(node.getExpression(), seen);
  if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    const left = literalText(node.getLeft(), seen);
    const right = left && literalText(node.getRight(), seen);
    // The left part's end marker is dropped: only the whole text has one end.
    return right && { text: left.text + right.text, positions: [...left.positions.slice(0, -1), ...right.positions] };
  }
  if (Node.isIdentifier(node) && !seen.has(node)) {
    // `const ddl = \`CREATE TABLE ...\`; tEnv.executeSql(ddl)`, as the pyflink walkthrough writes it.
    seen.add(node);
    const decls = node.getSourceFile().getDescendantsOfKind(SyntaxKind.VariableDeclaration)
      .filter((d) => d.getName() === node.getText() && d.getVariableStatement()?.getDeclarationKind() === 'const');
    const init = decls.length === 1 ? decls[0].getInitializer() : undefined;
    return init && literalText(init, seen);
  }
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };

/** Decodes the literal spanning [start, end) of `src` (quotes included), remembering where each unit was written. */
export function decodeLiteral(src: string, start: number, end: number, template: boolean): LiteralText {
  let text = '';
  const positions: number[] = [];
  const emit = (s: string, at: number) => {
    text += s;
    for (let k = 0; k < s.length; k++) positions.push(at);
  };
  const stop = end - 1;
  let i = start + 1;
  while (i < stop) {
    const ch = src[i];
    if (ch === '\\') {
      const next = src[i + 1];
      if (next === '\r' || next === '\n' || next === '\u2028' || next === '\u2029') {
        // A line continuation produces nothing.
        i += next === '\r' && src[i + 2] === '\n' ? 3 : 2;
        continue;
      }
      let len = 2;
      let out = SIMPLE_ESCAPES[next] ?? next;
      if (next === 'x') {
        out = String.fromCharCode(parseInt(src.slice(i + 2, i + 4), 16));
        len = 4;
      } else if (next === 'u' && src[i + 2] === '{') {
        const close = src.indexOf('}', i + 3);
        out = String.fromCodePoint(parseInt(src.slice(i + 3, close), 16));
        len = close + 1 - i;
      } else if (next === 'u') {
        out = String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
        len = 6;
      }
      emit(out, i);
      i += len;
    } else if (template && ch === '\r') {
      // Template literals normalize CRLF and CR to LF.
      emit('\n', i);
      i += src[i + 1] === '\n' ? 2 : 1;
    } else {
      emit(ch, i);
      i++;
    }
  }
  positions.push(stop);
  return { text, positions };
}
