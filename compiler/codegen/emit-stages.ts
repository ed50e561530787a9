// Generates the code of a plan's fused nodes (runtime/core/plan.ts FusedNode): for each one function with a single loop over the batch,
// the calcs' filters and projections inlined as local variables, ending in either a row pushed to the output
// or an aggregate's key lookup and inline accumulation (the layout of runtime/state/agg-kernel.ts; the lookup
// structures of runtime/state/group-state.ts and window-state.ts).
// The result is the source of a factory `(rt, udfs) => StageCode`, bundled as is or evaluated in-process.
import type { Field } from '../../runtime/core/data-types.js';
import { isString } from '../../runtime/core/data-types.js';
import { inputsOf, type AggCall, type CalcNode, type FusedNode, type JobPlan, type JoinNode, type PlanNode, type SourceNode } from '../../runtime/core/plan.js';
import { literalKey } from '../../runtime/core/row.js';
import { cachedKey, levelOrder } from '../../runtime/state/group-state.js';
import { flatLayouts } from '../../runtime/state/flat-join-state.js';
import { correlateArg } from '../../runtime/exec/correlate-processor.js';
import { ExprEmitter, type ExprScope } from './emit-expr.js';

export interface GeneratedCode {
  /** Source text of `(function (rt, udfs) { ...; return { stages, computed, conditions }; })`. */
  factory: string;
  /** Size in bytes of each fused node's function. */
  stageSizes: Record<string, number>;
}

/** The plan with each fused node's code size filled in (explain shows them). */
export function withCodeSizes(plan: JobPlan, stageSizes: Record<string, number>): JobPlan {
  return { ...plan, nodes: plan.nodes.map((n) => (n.kind === 'fused' ? { ...n, codeSize: stageSizes[n.id] ?? 0 } : n)) };
}

const prop = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`);

export function emitStages(plan: JobPlan): GeneratedCode {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const udfNames = new Map<string, string>();
  /** Stages that read CURRENT_WATERMARK: each gets a cell the runtime sets to the watermark its input received. */
  const watermarkStages = new Map<number, string>();
  const scopeBase = (field: (name: string) => string, stage?: { index: number; id: string }): ExprScope => ({
    field,
    udf: (name) => {
      if (!udfNames.has(name)) udfNames.set(name, `udf${udfNames.size}`);
      return udfNames.get(name)!;
    },
    watermark: stage && (() => {
      watermarkStages.set(stage.index, stage.id);
      return `watermark${stage.index}.wm`;
    }),
  });

  const functions: string[] = [];
  const stageEntries: string[] = [];
  const releasing: string[] = [];
  const computedEntries: string[] = [];
  const stageSizes: Record<string, number> = {};

  const consumers = (id: string) => plan.nodes.filter((n) => inputsOf(n).includes(id)).length;
  const joinOutputEntries: string[] = [];
  plan.nodes.filter((n): n is FusedNode => n.kind === 'fused').forEach((s, si) => {
    if (s.joinOutput !== undefined) {
      // The join applies these calcs (its output rows); the node itself only passes batches on.
      const text = emitJoinOutput(s, si, byId.get(s.joinOutput) as JoinNode, scopeBase);
      stageSizes[s.id] = Buffer.byteLength(text);
      functions.push(text);
      joinOutputEntries.push(`${JSON.stringify(s.joinOutput)}: joinOutput${si}()`);
      return;
    }
    const { text, passesRowsOn } = emitStage(s, si, byId, scopeBase, consumers(s.input) === 1);
    if (!passesRowsOn) releasing.push(s.id);
    stageSizes[s.id] = Buffer.byteLength(text);
    functions.push(text);
    stageEntries.push(`${JSON.stringify(s.id)}: stage${si}`);
  });
  plan.nodes.forEach((n, ni) => {
    if (n.kind !== 'source' || n.computed.length === 0) return;
    functions.push(emitComputed(n, ni, scopeBase));
    computedEntries.push(`${JSON.stringify(n.id)}: computed${ni}`);
  });

  const conditionEntries: string[] = [];
  plan.nodes.forEach((n, ni) => {
    if (n.kind === 'correlate') {
      n.args.forEach((a, ai) => {
        const em = new ExprEmitter(scopeBase((name) => `r${prop(name)}`), 'j');
        const v = em.emit(a);
        functions.push([`// argument ${ai} of correlate ${n.id}`, `function correlate${ni}_${ai}(r) {`, ...em.lines, `return ${v};`, '}'].join('\n'));
        conditionEntries.push(`${JSON.stringify(correlateArg(n.id, ai))}: correlate${ni}_${ai}`);
      });
      return;
    }
    if ((n.kind !== 'join' && n.kind !== 'lookupJoin') || n.condition === null) return;
    const em = new ExprEmitter(scopeBase((name) => `r${prop(name)}`), 'j');
    const v = em.emit(n.condition);
    functions.push([`// condition of join ${n.id}`, `function condition${ni}(r) {`, ...em.lines, `return ${v};`, '}'].join('\n'));
    conditionEntries.push(`${JSON.stringify(n.id)}: condition${ni}`);
  });

  const udfLines = [...udfNames].map(([name, v]) => `const ${v} = udfs[${JSON.stringify(name)}];`);
  const watermarkLines = [...watermarkStages.keys()].map((si) => `const watermark${si} = { wm: null };`);
  const watermarkEntries = [...watermarkStages].map(([si, id]) => `${JSON.stringify(id)}: watermark${si}`);
  const factory = [
    '(function (rt, udfs) {',
    '"use strict";',
    'const fn = rt.fn;',
    ...udfLines,
    ...watermarkLines,
    ...functions,
    `return { stages: { ${stageEntries.join(', ')} }, computed: { ${computedEntries.join(', ')} }, conditions: { ${conditionEntries.join(', ')} }, joinOutputs: { ${joinOutputEntries.join(', ')} }, releasesInput: ${JSON.stringify(releasing)}, watermarks: { ${watermarkEntries.join(', ')} }, udfs };`,
    '})',
  ].join('\n');
  return { factory, stageSizes };
}

type ScopeFactory = (field: (name: string) => string, stage?: { index: number; id: string }) => ExprScope;

/**
 * `onlyReader`: the stage is the only consumer of its input. `passesRowsOn`: its output rows are its input
 * rows (written over), so they must not be recycled.
 */
function emitStage(s: FusedNode, index: number, byId: Map<string, PlanNode>, scopeBase: ScopeFactory, onlyReader: boolean): { text: string; passesRowsOn: boolean } {
  let passesRowsOn = false;
  // Values of the current columns: starts as reads of the input row, then each calc's outputs.
  const input = byId.get(s.input)!;
  const calcs = emitCalcs(s.calcs, new Map(input.schema.map((f) => [f.name, `r${prop(f.name)}`])), input.schema, scopeBase, { index, id: s.id }, 'continue;');
  const body = calcs.body;
  const values = calcs.values;
  const schema = calcs.schema;

  const udf = scopeBase(() => 'null').udf;
  const into = s.accumulateInto === null ? null : byId.get(s.accumulateInto)!;
  if (into !== null && into.kind !== 'groupAggregate' && into.kind !== 'windowAggregate') throw new Error(`fused node ${s.id} accumulates into ${into.kind} ${into.id}`);
  const target = into ?? s;
  let params = 'rows, kinds, out';
  let head = '';
  if (target.kind === 'groupAggregate') {
    params = 'rows, kinds, st';
    head = target.retracting
      ? 'const map = st.map;'
      : `if (kinds !== null && kinds.some((k) => k !== 0)) throw new Error('aggregate ${target.id}: updating input is not supported');\nconst map = st.map;`;
    const keyTypes = target.keys.map((k) => schema.find((f) => f.name === k)!.type);
    body.push(...emitGroupLookup(target.keys.map((k) => values.get(k)!), keyTypes), 'const acc = e.acc;');
    if (target.retracting) {
      // -U (1) and -D (3) take the row back out (the layout of agg-kernel.ts's retracting kernel).
      body.push('if (kinds !== null && (kinds[i] === 1 || kinds[i] === 3)) {', ...emitChange(target.aggs, values, schema, '-', udf), '} else {',
        ...emitChange(target.aggs, values, schema, '+', udf), '}', 'st.touch(e);');
    } else {
      body.push(...emitAccumulate(target.aggs, values, schema, udf), 'st.touch(e);');
    }
  } else if (target.kind === 'windowAggregate') {
    params = 'rows, kinds, st';
    const ts = values.get(target.window.timeColumn)!;
    body.push(`const ts = ${ts};`, 'if (ts === null) continue;');
    const keyVar = emitKey(target.keys, values, schema, body);
    const keyList = `[${target.keys.map((k) => values.get(k)).join(', ')}]`;
    if (target.window.type === 'session') {
      body.push(`let acc = st.session(${keyVar}, ts);`, 'if (acc === null) continue;', `if (acc === undefined) acc = st.newSession(${keyVar}, ts, ${keyList});`);
      body.push(...emitAccumulate(target.aggs, values, schema, udf));
    } else {
      // assign() resolved the windows to their groups (st.assigned): one Map lookup per window.
      body.push('const nw = st.assign(ts);', 'for (let w = 0; w < nw; w++) {', 'const groups = st.assigned[w];', `let g = groups.get(${keyVar});`, `if (g === undefined) g = st.add(groups, ${keyVar}, ${keyList});`, 'const acc = g.acc;');
      body.push(...emitAccumulate(target.aggs, values, schema, udf), '}');
    }
  } else {
    const outSchema = schema;
    if (onlyReader && input.kind === 'source' && sameColumns(outSchema, input.schema)) {
      // A source's rows belong to the job (SourceBatch.rows) and only this stage reads them: the output row is
      // the input row with the changed columns written over (all computed before any is written).
      const changed = outSchema.filter((f) => values.get(f.name) !== `r${prop(f.name)}`);
      if (changed.length > 0) body.push(`const ${changed.map((f, i) => `o${i} = ${values.get(f.name)}`).join(', ')};`);
      body.push(...changed.map((f, i) => `r${prop(f.name)} = o${i};`), 'out.rows.push(r);');
      passesRowsOn = true;
    } else {
      body.push(`out.rows.push({ ${outSchema.map((f) => `${literalKey(f.name)}: ${values.get(f.name)}`).join(', ')} });`);
    }
    body.push('if (kinds !== null) out.kinds.push(kinds[i]);');
  }
  const desc = [s.input, ...s.calcs.map((c) => c.id), s.accumulateInto ?? 'rows'].join(' -> ');
  const text = [
    `// stage ${s.id}: ${desc}`,
    `function stage${index}(${params}) {`,
    head,
    'for (let i = 0, n = rows.length; i < n; i++) {',
    'const r = rows[i];',
    ...body,
    '}',
    '}',
  ].filter((l) => l !== '').join('\n');
  return { text, passesRowsOn };
}

/**
 * A chain of calcs inline: statements (`reject` where a filter drops the row) and, per output column of the last
 * calc, the expression holding its value; `values` are the expressions of the input's columns.
 */
function emitCalcs(calcs: readonly CalcNode[], values: Map<string, string>, schema: readonly Field[], scopeBase: ScopeFactory, stage: { index: number; id: string } | undefined, reject: string): { body: string[]; values: Map<string, string>; schema: readonly Field[] } {
  const body: string[] = [];
  calcs.forEach((calc, ci) => {
    const current = values;
    const em = new ExprEmitter(scopeBase((name) => current.get(name) ?? 'null', stage), `c${ci}_`);
    if (calc.filter) {
      const cond = em.emit(calc.filter);
      body.push(...em.lines.splice(0), `if (${cond} !== true) ${reject}`);
    }
    const next = new Map<string, string>();
    calc.projections.forEach((p) => {
      const v = em.emit(p.expr);
      body.push(...em.lines.splice(0));
      // emit() returns a variable, a constant or a column read: all stable, so later calcs use it directly.
      next.set(p.name, v);
    });
    values = next;
    schema = calc.schema;
  });
  return { body, values, schema };
}

/**
 * A join's output with a fused node's calcs applied (runtime/core/kernels.ts JoinOutput): one function per way
 * the join makes a row (two input rows, a row padded with NULLs on either side, an input row with a row the other
 * side keeps flat at a[o]), each the calcs inline over that row's columns and one object literal, or null when the
 * calcs' filter drops the row.
 */
function emitJoinOutput(s: FusedNode, index: number, join: JoinNode, scopeBase: ScopeFactory): string {
  const names = join.schema.map((f) => f.name);
  const nl = join.leftFields.length;
  const variant = (name: string, params: string, left: (f: string, i: number) => string, right: (f: string, i: number) => string): string[] => {
    const columns = new Map(names.map((n, i) => [n, i < nl ? left(join.leftFields[i], i) : right(join.rightFields[i - nl], i - nl)]));
    const { body, values, schema } = emitCalcs(s.calcs, columns, join.schema, scopeBase, undefined, 'return null;');
    return [`function ${name}(${params}) {`, ...body, `return { ${schema.map((f) => `${literalKey(f.name)}: ${values.get(f.name)}`).join(', ')} };`, '}'];
  };
  const fromRow = (v: string) => (f: string) => `(${v}${prop(f)} ?? null)`;
  // A column of a row kept flat, where runtime/state/flat-join-state.ts keeps it (its key: the input row's key column).
  const layouts = flatLayouts(join);
  const fromFlat = (side: 0 | 1, input: string) => (_: string, i: number) => {
    const at = layouts[side][i];
    return typeof at === 'number' ? `a[o + ${at}]` : fromRow(input)(at);
  };
  const none = () => 'null';
  return [
    `// output of join ${join.id}: ${s.calcs.map((c) => c.id).join(' -> ')}`,
    `function joinOutput${index}() {`,
    ...variant('both', 'l, r', fromRow('l'), fromRow('r')),
    ...variant('leftOnly', 'l', fromRow('l'), none),
    ...variant('rightOnly', 'r', none, fromRow('r')),
    ...variant('leftWithFlat', 'l, a, o', fromRow('l'), fromFlat(1, 'l')),
    ...variant('rightWithFlat', 'r, a, o', fromFlat(0, 'r'), fromRow('r')),
    'return { joined: (l, r) => (l === null ? rightOnly(r) : r === null ? leftOnly(l) : both(l, r)), leftWithFlat, rightWithFlat };',
    '}',
  ].join('\n');
}

/** The same column names, in any order (rows are read by name); none that an assignment would misread. */
function sameColumns(a: readonly Field[], b: readonly Field[]): boolean {
  return a.length === b.length && a.every((f) => f.name !== '__proto__' && b.some((g) => g.name === f.name));
}

/**
 * A group aggregate's entry `e`, walking runtime/state/group-state.ts's index inline: one level of Maps per key
 * column in its levelOrder, keyed by the values themselves (no key string per row), a timestamp or date level
 * through the one-entry cache on its Map; no key columns: the one entry under 0.
 */
function emitGroupLookup(keys: string[], keyTypes: readonly Field['type'][]): string[] {
  if (keys.length === 0) return ['let e = map.get(0);', 'if (e === undefined) e = st.add(map, 0, []);'];
  const lines: string[] = [];
  let level = 'map';
  levelOrder(keyTypes).forEach((ki, i) => {
    const k = keys[ki];
    const last = i === keys.length - 1;
    const found = last ? 'e' : `level${i + 1}`;
    const create = last ? `${found} = st.add(${level}, ${k}, [${keys.join(', ')}]);` : `{ ${found} = new Map(); ${level}.set(${k}, ${found}); }`;
    const lookup = [`${found} = ${level}.get(${k});`, `if (${found} === undefined) ${create}`];
    if (!cachedKey(keyTypes[ki])) lines.push(`let ${lookup[0]}`, lookup[1]);
    else lines.push(`let ${found} = ${level}.k === ${k} ? ${level}.e : undefined;`, `if (${found} === undefined) {`, ...lookup, `${level}.k = ${k}; ${level}.e = ${found};`, '}');
    level = found;
  });
  return lines;
}

/** A window aggregate's group key: the value itself for one column, else the string runtime/core/kernels.ts compositeKey builds. */
function emitKey(keys: readonly string[], values: Map<string, string>, schema: readonly Field[], body: string[]): string {
  if (keys.length === 0) return '0';
  if (keys.length === 1) return values.get(keys[0])!;
  const parts = keys.map((k, i) => {
    const v = values.get(k)!;
    const t = schema.find((f) => f.name === k)!.type;
    const text = isString(t) ? `'s' + ${v}` : `'' + ${v}`;
    return `${i ? "'\\u0001' + " : ''}(${v} === null ? '\\u0000' : ${text})`;
  });
  body.push(`const key = ${parts.join(' + ')};`);
  return 'key';
}

/**
 * The guard around an aggregate's accumulate (or retract) statement: its FILTER column is TRUE and its argument
 * is not NULL (JSON_OBJECTAGG: its value is not NULL; a NULL key fails in collectAdd, as in Flink).
 */
function aggGuard(a: AggCall, values: Map<string, string>, schema: readonly Field[]): (stmt: string) => string {
  const conditions: string[] = [];
  if (a.filter !== undefined) conditions.push(`${values.get(a.filter)!} === true`);
  // ARRAY_AGG keeps NULLs (RESPECT NULLS; IGNORE NULLS is a FILTER the frontend adds).
  const checked = a.fn === 'json_objectagg' ? a.arg2! : a.fn === 'array_agg' ? null : a.arg;
  if (checked !== null && (schema.find((f) => f.name === checked)?.type.nullable ?? true)) conditions.push(`${values.get(checked)!} !== null`);
  return (stmt) => (conditions.length ? `if (${conditions.join(' && ')}) { ${stmt} }` : stmt);
}

/** A collecting aggregate's step (runtime/core/collecting-aggs.ts), the same call the interpreter makes. */
function emitCollect(a: AggCall, i: number, x: string, values: Map<string, string>, op: 'add' | '+' | '-'): string {
  const value = a.arg2 === undefined ? '' : `, ${values.get(a.arg2)!}`;
  const sep = JSON.stringify(a.separator ?? ',');
  if (op === '-') return `fn.collectRetract(${JSON.stringify(a.fn)}, acc[${i}], ${x});`;
  const call = `fn.collectAdd(${JSON.stringify(a.fn)}, acc[${i}], ${x}, ${op === '+'}, ${sep}${value})`;
  return op === '+' ? `${call};` : `acc[${i}] = ${call};`;
}

/**
 * An aggregate function's (`@udaf`) accumulate or retract, with the argument columns' values as they are (NULLs
 * too, as in Flink); a DISTINCT call counts the argument tuple first (runtime/core/user-aggs.ts).
 */
function emitUdafCall(a: AggCall, i: number, values: Map<string, string>, method: 'accumulate' | 'retract', udf: (name: string) => string): string {
  const args = a.udaf!.args.map((c) => values.get(c)!);
  if (a.distinct) return `fn.udafDistinctChange(${udf(a.udaf!.name)}, acc[${i}], [${args.join(', ')}], ${method === 'accumulate' ? 1 : -1});`;
  return `${udf(a.udaf!.name)}.${method}(acc[${i}]${args.map((v) => `, ${v}`).join('')});`;
}

/** `udf`: the variable of a UDF (aggregate functions' instances) in the factory. */
function emitAccumulate(aggs: readonly AggCall[], values: Map<string, string>, schema: readonly Field[], udf: (name: string) => string): string[] {
  return aggs.map((a, i) => {
    const x = a.arg === null ? '1' : values.get(a.arg)!;
    const guard = aggGuard(a, values, schema);
    if (a.udaf) return guard(emitUdafCall(a, i, values, 'accumulate', udf));
    if (a.distinct) return guard(`acc[${i}].set(${x}, (acc[${i}].get(${x}) ?? 0) + 1);`);
    switch (a.fn) {
      case 'first_value': case 'last_value': case 'listagg': case 'json_arrayagg': case 'json_objectagg': case 'array_agg': return guard(emitCollect(a, i, x, values, 'add'));
      case 'welford_m2': return guard(`fn.welfordAdd(acc[${i}], ${x});`);
      case 'count': return guard(`acc[${i}]++;`);
      case 'sum': return guard(`acc[${i}] = acc[${i}] === null ? ${x} : acc[${i}] + ${x};`);
      case 'avg': return guard(`const s${i} = acc[${i}]; s${i}[0] = s${i}[0] === null ? ${x} : s${i}[0] + ${x}; s${i}[1]++;`);
      case 'min': return guard(`if (acc[${i}] === null || ${x} < acc[${i}]) acc[${i}] = ${x};`);
      case 'max': return guard(`if (acc[${i}] === null || ${x} > acc[${i}]) acc[${i}] = ${x};`);
      case 'udaf': throw new Error(`aggregate ${a.name}: an aggregate function call without its function`);
    }
  });
}

/**
 * A row into (`+`) or out of (`-`) a retracting accumulator, inline: agg-kernel.ts changeAll does the same for
 * the interpreter. Value occurrences (DISTINCT, MIN/MAX) are counted in Maps; a MIN/MAX whose current value
 * loses its last occurrence is recomputed from the Map; the slot after the aggregates counts the group's rows.
 */
function emitChange(aggs: readonly AggCall[], values: Map<string, string>, schema: readonly Field[], op: '+' | '-', udf: (name: string) => string): string[] {
  const occurrences = (m: string, x: string) => `{ const n = (${m}.get(${x}) ?? 0) ${op} 1; if (n === 0) ${m}.delete(${x}); else ${m}.set(${x}, n); }`;
  const lines = aggs.map((a, i) => {
    const x = a.arg === null ? '1' : values.get(a.arg)!;
    const guard = aggGuard(a, values, schema);
    if (a.udaf) return guard(emitUdafCall(a, i, values, op === '+' ? 'accumulate' : 'retract', udf));
    if (a.distinct) return guard(occurrences(`acc[${i}]`, x));
    switch (a.fn) {
      case 'first_value': case 'last_value': case 'listagg': case 'json_arrayagg': case 'json_objectagg': case 'array_agg': return guard(emitCollect(a, i, x, values, op));
      case 'welford_m2': return guard(`fn.${op === '+' ? 'welfordAdd' : 'welfordRetract'}(acc[${i}], ${x});`);
      case 'count': return guard(`acc[${i}] ${op}= 1;`);
      case 'sum': case 'avg': return guard(`const s${i} = acc[${i}]; s${i}[0] ${op}= ${x}; s${i}[1] ${op}= 1;`);
      case 'min': case 'max': {
        const better = a.fn === 'min' ? '<' : '>';
        const update = op === '+'
          ? `if (m${i}[0] === null || ${x} ${better} m${i}[0]) m${i}[0] = ${x};`
          : `if (${x} === m${i}[0] && !(m${i}[1].get(${x}) > 0)) { let b = null; for (const [v, c] of m${i}[1]) if (c > 0 && (b === null || v ${better} b)) b = v; m${i}[0] = b; }`;
        return guard(`const m${i} = acc[${i}]; ${occurrences(`m${i}[1]`, x)} ${update}`);
      }
      case 'udaf': throw new Error(`aggregate ${a.name}: an aggregate function call without its function`);
    }
  });
  return [...lines, `acc[${aggs.length}] ${op}= 1;`];
}

function emitComputed(n: SourceNode, index: number, scopeBase: ScopeFactory): string {
  const em = new ExprEmitter(scopeBase((name) => `r${prop(name)}`), 't');
  const body: string[] = [];
  for (const c of n.computed) {
    const v = em.emit(c.expr);
    body.push(...em.lines.splice(0), `r${prop(c.name)} = ${v};`);
  }
  return [`// computed columns of ${n.table}`, `function computed${index}(rows) {`, 'for (const r of rows) {', ...body, '}', '}'].join('\n');
}
