// Reads UDF declarations from source with ts-morph: `@udf(...)` static methods and `udf(fn, ...)` wrappers,
// `@udtf` classes (their `eval`) and `udtf(function* ...)` wrappers, `@udaf` classes (their `accumulate` and
// `getValue`), their registered names, and parameter and result types from the TypeScript signature (or the
// explicit PyFlink-style inputTypes/resultType). A table function's rows are its yield type: a tuple (labels
// name the columns, else f0, f1, ...), an object type (its properties are the columns) or one value (one
// column, f0). TS `number` maps to DOUBLE (any numeric column may be passed),
// `string` to STRING, `boolean` to BOOLEAN, `Date` is not accepted (timestamps are epoch millis: use number
// with resultType: DataTypes.TIMESTAMP(3)); `T | null` is nullable. The signature is read from the written
// annotations, without the type checker: it keeps `sluice compile` fast, and a UDF's SQL type should be
// visible in its source anyway.
import path from 'node:path';
import fs from 'node:fs';
import { Node, Project, type ClassDeclaration, type ParameterDeclaration, type SourceFile, type TypeNode } from 'ts-morph';
import { DataTypes, withType, type DataType, type Field } from '../../runtime/core/data-types.js';
import { snakeCase, udfRegistry } from '../../runtime/core/udf.js';
import { CompileError } from '../ir/diagnostics.js';
import type { UdfSignature } from './resolve.js';
import { tableSignature } from './udf-signature.js';

export interface UdfDeclaration extends UdfSignature {
  /** Absolute path of the module declaring it. */
  module: string;
  /** How it is written: 'Provinces.provinceIdToName(id: number): string'. */
  display: string;
}

let project: Project | undefined;
// Signatures are annotations in the file itself: no need to load what it imports (the whole API) or the DOM.
const projectFor = () => (project ??= new Project({
  skipAddingFilesFromTsConfig: true,
  skipFileDependencyResolution: true,
  compilerOptions: { strict: true, lib: ['lib.es2022.d.ts'], types: [], skipLibCheck: true },
}));

/** All UDFs declared in the .ts files of a folder (udfs/). */
export function readUdfFolder(dir: string): UdfDeclaration[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort().flatMap((f) => readUdfFile(path.join(dir, f)));
}

export function readUdfFile(file: string): UdfDeclaration[] {
  const p = projectFor();
  const sf = p.getSourceFile(file) ?? p.addSourceFileAtPath(file);
  sf.refreshFromFileSystemSync();
  return [...readDecorated(sf), ...readWrapped(sf)];
}

function readDecorated(sf: SourceFile): UdfDeclaration[] {
  const out: UdfDeclaration[] = [];
  for (const cls of sf.getClasses()) {
    const own = cls.getDecorators().find((d) => d.getName() === 'udtf' || d.getName() === 'udaf');
    if (own) out.push(own.getName() === 'udtf' ? readTableClass(cls, own.getArguments()[0], sf) : readAggregateClass(cls, own.getArguments()[0], sf));
    for (const m of cls.getStaticMethods()) {
      const dec = m.getDecorators().find((d) => d.getName() === 'udf');
      if (!dec) continue;
      const opts = dec.getArguments()[0];
      const name = stringOption(opts, 'name') ?? snakeCase(m.getName());
      const sig = typesOf(name, m.getParameters(), m.getReturnTypeNode(), sf, m.getStartLineNumber());
      out.push({ ...sig, module: sf.getFilePath(), display: `${cls.getName()}.${m.getName()}(${m.getParameters().map((x) => x.getText()).join(', ')}): ${m.getReturnTypeNode()?.getText() ?? '?'}` });
    }
  }
  return out;
}

function readWrapped(sf: SourceFile): UdfDeclaration[] {
  const out: UdfDeclaration[] = [];
  sf.forEachDescendant((node) => {
    const wrapper = Node.isCallExpression(node) ? node.getExpression().getText() : '';
    if (!Node.isCallExpression(node) || (wrapper !== 'udf' && wrapper !== 'udtf')) return;
    const [fnArg, opts] = node.getArguments();
    if (!fnArg || !(Node.isArrowFunction(fnArg) || Node.isFunctionExpression(fnArg) || Node.isIdentifier(fnArg))) return;
    if (node.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a))) {
      // A bundle imports the module that declares a UDF; code inside functions (the job's body) does not run then.
      throw new CompileError(`declare UDFs at the top level of the module, not inside a function`, { file: sf.getFilePath(), line: node.getStartLineNumber(), col: node.getStart() - node.getStartLinePos() + 1 },
        `move \`const f = udf(...)\` above defineJob(...) and register it in the body: tEnv.createTemporarySystemFunction('name', f)`);
    }
    let fn: Node = fnArg;
    if (Node.isIdentifier(fnArg)) {
      const decl = fnArg.getSymbol()?.getDeclarations()[0];
      if (!decl || !(Node.isFunctionDeclaration(decl))) return;
      fn = decl;
    }
    if (!(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isFunctionDeclaration(fn))) return;
    const declaredName = Node.isFunctionDeclaration(fn) || Node.isFunctionExpression(fn) ? fn.getName() : undefined;
    const name = stringOption(opts, 'name') ?? (declaredName ? snakeCase(declaredName) : undefined);
    if (!name) {
      throw new CompileError(`a UDF wrapping an anonymous function needs a name`, { file: sf.getFilePath(), line: node.getStartLineNumber(), col: 1 },
        `${wrapper}(fn, { name: 'my_function' })`);
    }
    const sig = wrapper === 'udtf'
      ? tableTypesOf(name, fn.getParameters(), fn.getReturnTypeNode(), sf, node.getStartLineNumber())
      : typesOf(name, fn.getParameters(), fn.getReturnTypeNode(), sf, node.getStartLineNumber());
    out.push({ ...sig, module: sf.getFilePath(), display: `${name}(${fn.getParameters().map((x) => x.getText()).join(', ')}): ${fn.getReturnTypeNode()?.getText() ?? '?'}` });
  });
  return out;
}

function stringOption(opts: Node | undefined, key: string): string | undefined {
  if (!opts || !Node.isObjectLiteralExpression(opts)) return undefined;
  const prop = opts.getProperty(key);
  if (!prop || !Node.isPropertyAssignment(prop)) return undefined;
  const init = prop.getInitializer();
  return init && Node.isStringLiteral(init) ? init.getLiteralValue() : undefined;
}

/** Types from the signature, unless the registered function carries explicit ones (PyFlink style). */
function typesOf(name: string, params: ParameterDeclaration[], ret: TypeNode | undefined, sf: SourceFile, line: number): UdfSignature {
  const registered = udfRegistry().get(name);
  const loc = { file: sf.getFilePath(), line, col: 1 };
  const inputTypes = registered?.options.inputTypes ?? params.map((p) => tsToSql(p.getTypeNode(), `parameter '${p.getName()}' of ${name}`, loc));
  const resultType = registered?.options.resultType ?? tsToSql(ret, `the result of ${name}`, loc);
  return { name, inputTypes, resultType };
}

/** `@udtf` on a class: its `eval(...)` method's parameters and yield type. */
function readTableClass(cls: ClassDeclaration, opts: Node | undefined, sf: SourceFile): UdfDeclaration {
  const name = stringOption(opts, 'name') ?? snakeCase(cls.getName() ?? 'anonymous');
  const m = cls.getInstanceMethod('eval');
  if (!m) throw new CompileError(`the table function class ${cls.getName()} has no eval method`, locOf(sf, cls), "*eval(line: string): Generator<[word: string, length: number]> { for (const w of line.split(' ')) yield [w, w.length]; }");
  const sig = tableTypesOf(name, m.getParameters(), m.getReturnTypeNode(), sf, m.getStartLineNumber());
  return { ...sig, module: sf.getFilePath(), display: `${cls.getName()}.eval(${m.getParameters().map((x) => x.getText()).join(', ')}): ${m.getReturnTypeNode()?.getText() ?? '?'}` };
}

/** `@udaf` on a class: the argument types are accumulate's parameters after the accumulator, the result getValue's. */
function readAggregateClass(cls: ClassDeclaration, opts: Node | undefined, sf: SourceFile): UdfDeclaration {
  const name = stringOption(opts, 'name') ?? snakeCase(cls.getName() ?? 'anonymous');
  const method = (m: string) => cls.getInstanceMethod(m);
  for (const required of ['createAccumulator', 'accumulate', 'getValue']) {
    if (!method(required)) {
      throw new CompileError(`the aggregate function class ${cls.getName()} has no ${required} method`, locOf(sf, cls),
        'an aggregate function has createAccumulator(), accumulate(acc, ...args), getValue(acc), and optionally retract(acc, ...args) and merge(acc, others) (docs/udfs.md)');
    }
  }
  const accumulate = method('accumulate')!;
  const getValue = method('getValue')!;
  const registered = udfRegistry().get(name);
  const loc = (n: Node) => locOf(sf, n);
  const inputTypes = registered?.options.inputTypes ?? accumulate.getParameters().slice(1).map((p) => tsToSql(p.getTypeNode(), `parameter '${p.getName()}' of ${name}.accumulate`, loc(p)));
  const resultType = registered?.options.resultType ?? tsToSql(getValue.getReturnTypeNode(), `the result of ${name} (getValue)`, loc(getValue));
  return {
    name, kind: 'aggregate', inputTypes, resultType, retract: !!method('retract'), merge: !!method('merge'), module: sf.getFilePath(),
    display: `${cls.getName()}: accumulate(${accumulate.getParameters().map((x) => x.getText()).join(', ')}), getValue(): ${getValue.getReturnTypeNode()?.getText() ?? '?'}`,
  };
}

const locOf = (sf: SourceFile, n: Node) => ({ file: sf.getFilePath(), line: n.getStartLineNumber(), col: n.getStart() - n.getStartLinePos() + 1 });

/** A table function's types: its parameters', and its rows' from the yield type (or explicit types, PyFlink style). */
function tableTypesOf(name: string, params: ParameterDeclaration[], ret: TypeNode | undefined, sf: SourceFile, line: number): UdfSignature {
  const registered = udfRegistry().get(name);
  const loc = { file: sf.getFilePath(), line, col: 1 };
  const inputTypes = registered?.options.inputTypes ?? params.map((p) => tsToSql(p.getTypeNode(), `parameter '${p.getName()}' of ${name}`, loc));
  const explicit = registered?.options.resultType;
  if (explicit) return tableSignature(name, inputTypes, explicit);
  const hint = `annotate the rows it yields: *eval(line: string): Generator<[word: string, length: number]>, Generator<{ word: string; length: number }> or Generator<string>`;
  const element = ret && iteratedType(ret);
  if (!element) throw new CompileError(`the rows of table function ${name} have no type${ret ? ` ('${ret.getText()}' is not a Generator<...>, Iterable<...> or array type)` : ''}`, loc, hint);
  if (Node.isTupleTypeNode(element)) {
    const fields = element.getElements().map((el, i): Field => (Node.isNamedTupleMember(el)
      ? { name: el.getName(), type: tsToSql(el.getTypeNode(), `column ${el.getName()} of ${name}`, loc) }
      : { name: `f${i}`, type: tsToSql(el, `column ${i + 1} of ${name}`, loc) }));
    return { name, kind: 'table', inputTypes, resultType: DataTypes.ROW(...fields), rows: 'row' };
  }
  if (Node.isTypeLiteral(element)) {
    const fields = element.getProperties().map((p): Field => {
      const t = tsToSql(p.getTypeNode(), `column ${p.getName()} of ${name}`, loc);
      return { name: p.getName(), type: p.hasQuestionToken() ? withType(t, { nullable: true }) : t };
    });
    return { name, kind: 'table', inputTypes, resultType: DataTypes.ROW(...fields), rows: 'row' };
  }
  return tableSignature(name, inputTypes, tsToSql(element, `the rows of ${name}`, loc));
}

const ITERATED = new Set(['Generator', 'Iterable', 'IterableIterator', 'Iterator', 'Array', 'ReadonlyArray']);

/** T of Generator<T, ...>, Iterable<T>, T[] and the like. */
function iteratedType(node: TypeNode): TypeNode | undefined {
  if (Node.isArrayTypeNode(node)) return node.getElementTypeNode();
  if (Node.isTypeReference(node) && ITERATED.has(node.getTypeName().getText())) return node.getTypeArguments()[0];
  return undefined;
}

const TS_TO_SQL: Record<string, () => DataType> = { number: DataTypes.DOUBLE, string: DataTypes.STRING, boolean: DataTypes.BOOLEAN };

function tsToSql(node: TypeNode | undefined, what: string, loc: { file: string; line: number; col: number }): DataType {
  const hint = 'annotate it as number, string or boolean (optionally | null), or give explicit types: @udf({ inputTypes: [DataTypes.INT()], resultType: DataTypes.STRING() })';
  if (!node) throw new CompileError(`${what} has no type annotation`, loc, hint);
  const parts = node.getText().split('|').map((p) => p.trim());
  const nullable = parts.some((p) => p === 'null' || p === 'undefined');
  const base = parts.filter((p) => p !== 'null' && p !== 'undefined');
  const make = base.length === 1 ? TS_TO_SQL[base[0]] : undefined;
  if (!make) throw new CompileError(`cannot map the TypeScript type '${node.getText()}' of ${what} to a SQL type`, loc, hint);
  return nullable ? make() : make().notNull!();
}
