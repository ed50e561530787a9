// Type-checks a job file before its body runs, so that `tEnv.from(...).minus(...)` or `.cast('BIGINT')` is a
// TypeScript error at file:line:col instead of a JavaScript `is not a function` half-way through planning.
//
// Checking against the Table API's sources would load the whole compiler (~670 files, seconds). Instead the
// API's declarations are emitted once (without checking) into a cache and 'sluice' is mapped to them: a
// job's check then reads ~80 small files. Both the declarations and a job's clean result are cached under
// node_modules/.cache/sluice, valid while every file they were made from keeps its size and mtime, so an
// unchanged job is not checked again. Node's types are loaded only for a job that uses them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { SourceLoc } from '../../runtime/core/plan.js';
import { CompileError } from '../ir/diagnostics.js';

const SLUICE_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const API_ENTRY = path.join(SLUICE_ROOT, 'compiler/api/index.ts');

const BASE: ts.CompilerOptions = {
  strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  skipLibCheck: true, allowImportingTsExtensions: true, lib: ['lib.es2023.d.ts'], types: [],
};

/** Files a result was made from, with their size and mtime: the result holds while they do. */
type Stamp = [file: string, size: number, mtimeMs: number][];

const stampOf = (files: readonly string[]): Stamp => files.map((f) => { const s = fs.statSync(f); return [f, s.size, s.mtimeMs]; });
const fresh = (stamp: Stamp): boolean => stamp.every(([f, size, mtime]) => {
  try { const s = fs.statSync(f); return s.size === size && s.mtimeMs === mtime; } catch { return false; }
});
/** The files of a program worth stamping: its own sources and those of the API, not TypeScript's libs or @types. */
const ownFiles = (p: ts.Program) => p.getSourceFiles().map((f) => f.fileName).filter((f) => !f.includes('/node_modules/'));

function cacheDir(projectRoot: string): string {
  const nm = path.join(projectRoot, 'node_modules');
  const dir = fs.existsSync(nm) ? path.join(nm, '.cache', 'sluice') : path.join(os.tmpdir(), `sluice-cache-${os.userInfo().uid}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function readJson<T>(file: string): T | undefined {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')) as T; } catch { return undefined; }
}

/** Written whole or not at all: parallel compiles share the cache. */
function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  fs.writeFileSync(tmp, JSON.stringify(value));
  fs.renameSync(tmp, file);
}

/** The folder of the API's declarations (compiler/api/index.d.ts inside), emitted when missing or stale. */
function apiDeclarations(cache: string): string {
  // Per sluice checkout: checkouts sharing a node_modules (git worktrees) have APIs of their own, and a manifest
  // of another one is fresh as long as its files are, whatever this one's say.
  const root = crypto.createHash('sha1').update(SLUICE_ROOT).digest('hex').slice(0, 12);
  const manifestFile = path.join(cache, `manifest-${root}.json`);
  const current = () => {
    const manifest = readJson<{ typescript: string; dir: string; stamp: Stamp }>(manifestFile);
    return manifest && manifest.typescript === ts.version && fs.existsSync(manifest.dir) && fresh(manifest.stamp) ? manifest.dir : undefined;
  };
  // Parallel compiles (test workers) wait for one of them to emit, instead of all emitting at once.
  return current() ?? withLock(path.join(cache, `api-${root}.lock`), () => current() ?? emitApiDeclarations(cache, manifestFile));
}

function withLock<T>(lock: string, fn: () => T): T {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than a minute was left by a process that died while emitting.
      try { if (Date.now() - fs.statSync(lock).mtimeMs > 60_000) fs.rmSync(lock, { recursive: true, force: true }); } catch { /* gone meanwhile */ }
      Atomics.wait(sleeper, 0, 0, 100);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function emitApiDeclarations(cache: string, manifestFile: string): string {
  const dir = fs.mkdtempSync(path.join(cache, 'api-'));
  const program = ts.createProgram([API_ENTRY], {
    ...BASE, types: ['node'], declaration: true, emitDeclarationOnly: true, noCheck: true, outDir: dir, rootDir: SLUICE_ROOT,
  });
  program.emit();
  writeJson(manifestFile, { typescript: ts.version, dir, stamp: stampOf(ownFiles(program)) });
  // Earlier generations, unless one was made in the last hour (a parallel compile may still read it).
  for (const old of fs.readdirSync(cache).filter((d) => d.startsWith('api-') && path.join(cache, d) !== dir)) {
    const at = path.join(cache, old);
    if (Date.now() - fs.statSync(at).mtimeMs > 3_600_000) fs.rmSync(at, { recursive: true, force: true });
  }
  return dir;
}

/** Throws a CompileError listing the TypeScript errors of the job file (and the local modules it imports), if any. */
export function typecheckJob(jobFile: string, projectRoot: string): void {
  const cache = cacheDir(projectRoot);
  const dts = apiDeclarations(cache);
  const key = crypto.createHash('sha1').update(`${ts.version}\0${dts}\0${jobFile}`).digest('hex').slice(0, 16);
  const okFile = path.join(cache, `job-${key}.json`);
  const ok = readJson<{ stamp: Stamp }>(okFile);
  if (ok && fresh(ok.stamp)) return;
  const check = (types: string[]) => {
    const program = ts.createProgram([jobFile], { ...BASE, types, noEmit: true, paths: { sluice: [path.join(dts, 'compiler/api/index.d.ts')] } });
    const own = program.getSourceFiles().filter((f) => !f.fileName.includes('/node_modules/') && !f.fileName.startsWith(dts + path.sep));
    return { program, diagnostics: own.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]) };
  };
  let { program, diagnostics } = check([]);
  // "Cannot find name 'process'" and the like: the job uses Node's API, so check it with Node's types.
  if (diagnostics.some((d) => NEEDS_NODE_TYPES.has(d.code))) ({ program, diagnostics } = check(['node']));
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) {
    writeJson(okFile, { stamp: stampOf(ownFiles(program).filter((f) => !f.startsWith(dts + path.sep))) });
    return;
  }
  throw new TypeScriptErrors(errors.map(describe));
}

const GENERIC_HINT = 'the job must type-check: what the Table API and SQL support is in docs/sql.md';

/** The first error as a CompileError (location, message, hint), then the others the same way. */
class TypeScriptErrors extends CompileError {
  constructor(readonly errors: { loc?: SourceLoc; message: string; hint?: string }[]) {
    super(errors[0].message, errors[0].loc, errors[0].hint ?? GENERIC_HINT);
  }

  override format(): string {
    return this.errors.map((e) => new CompileError(e.message, e.loc, e.hint ?? GENERIC_HINT).format()).join('\n');
  }
}

// Cannot find name 'process' / 'Buffer' / 'require', or module 'node:fs', without @types/node.
const NEEDS_NODE_TYPES = new Set([2580, 2591, 2307, 2792]);

function describe(d: ts.Diagnostic): { loc?: SourceLoc; message: string; hint?: string } {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n    ');
  let loc: SourceLoc | undefined;
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    loc = { file: path.resolve(d.file.fileName), line: line + 1, col: character + 1 };
  }
  return { loc, message, hint: hintFor(message) };
}

/** Table API methods Flink has and sluice does not (yet), and what to write instead. */
const NOT_YET: Record<string, string> = {
  minus: 'MINUS/EXCEPT is not supported yet; unionAll is (docs/sql.md)',
  minusAll: 'MINUS/EXCEPT is not supported yet; unionAll is (docs/sql.md)',
  intersect: 'INTERSECT is not supported yet; unionAll is (docs/sql.md)',
  intersectAll: 'INTERSECT is not supported yet; unionAll is (docs/sql.md)',
  union: 'UNION (with duplicates removed) is not supported yet: unionAll(...).distinct()',
  map: 'map/flatMap with a table function is not supported yet: select(call(\'my_udf\', ...)) per column (docs/udfs.md)',
  flatMap: 'map/flatMap with a table function is not supported yet: select(call(\'my_udf\', ...)) per column (docs/udfs.md)',
  flatAggregate: 'table aggregate functions are not supported yet (docs/sql.md)',
  over: 'OVER windows are not supported yet: aggregate with groupBy and a group window (Tumble, Slide, Session) instead',
};

function hintFor(message: string): string | undefined {
  const missing = /^Property '(\w+)' does not exist on type '(\w+)'/.exec(message);
  if (missing && NOT_YET[missing[1]]) return NOT_YET[missing[1]];
  if (/^Argument of type '[^']*' is not assignable to parameter of type 'DataType'/.test(message)) {
    return 'types are DataTypes values: .cast(DataTypes.BIGINT())';
  }
  return undefined;
}
