// Compiles a typed expression into JavaScript statements and a result variable, with SQL's NULL rules
// emitted only where a value can be NULL (types say which), so that non-null arithmetic is plain `a + b`.
import { isInteger, isString, isTemporal, type DataType } from '../../runtime/core/data-types.js';
import type { Expr } from '../../runtime/core/expr.js';

export interface ExprScope {
  /** JS text reading a column of the current row. */
  field(name: string): string;
  /** JS identifier of a UDF function. */
  udf(name: string): string;
}

export class ExprEmitter {
  readonly lines: string[] = [];
  private counter = 0;

  constructor(private readonly scope: ExprScope, private readonly prefix: string) {}

  /** Emits statements into `lines`; returns an expression (a variable or a constant) holding the value. */
  emit(e: Expr): string {
    switch (e.kind) {
      case 'field': return this.scope.field(e.name);
      case 'literal': return JSON.stringify(e.value);
      case 'udf': {
        const args = e.args.map((a) => this.emit(a));
        return this.bind(`${this.scope.udf(e.name)}(${args.join(', ')})`, `?? null`);
      }
      case 'call': return this.call(e);
    }
  }

  private tmp(): string {
    return `${this.prefix}${this.counter++}`;
  }

  private bind(js: string, suffix = ''): string {
    const t = this.tmp();
    this.lines.push(`const ${t} = ${js}${suffix ? ' ' + suffix : ''};`);
    return t;
  }

  /** Strict function: NULL if any argument that may be NULL is NULL. */
  private strict(args: Expr[], vals: string[], body: string): string {
    const checks = vals.filter((_, i) => args[i].type.nullable || args[i].type.name === 'NULL').map((v) => `${v} === null`);
    return this.bind(checks.length ? `(${checks.join(' || ')}) ? null : ${body}` : body);
  }

  private call(e: Extract<Expr, { kind: 'call' }>): string {
    const args = e.args as Expr[];
    if (e.fn === 'case') return this.caseExpr(args);
    if (e.fn === 'and' || e.fn === 'or') return this.logical(e.fn, args);
    const v = args.map((a) => this.emit(a));
    const [a, b, c] = v;
    const intResult = isInteger(e.type);
    switch (e.fn) {
      case 'plus': return this.strict(args, v, `${a} + ${b}`);
      case 'minus': return this.strict(args, v, `${a} - ${b}`);
      case 'times': return this.strict(args, v, `${a} * ${b}`);
      case 'divide': return this.strict(args, v, intResult ? `(${b} === 0 ? null : Math.trunc(${a} / ${b}))` : `${a} / ${b}`);
      case 'mod': return this.strict(args, v, `(${b} === 0 ? null : ${a} % ${b})`);
      case 'negate': return this.strict(args, v, `-${a}`);
      case 'abs': return this.strict(args, v, `Math.abs(${a})`);
      case 'power': return this.strict(args, v, `Math.pow(${a}, ${b})`);
      case 'sqrt': return this.strict(args, v, `Math.sqrt(${a})`);
      case 'round': return this.strict(args, v, `fn.roundHalfUp(${a}, ${b ?? 0})`);
      case 'eq': return this.strict(args, v, this.cmp(args, v, '==='));
      case 'ne': return this.strict(args, v, this.cmp(args, v, '!=='));
      case 'gt': return this.strict(args, v, this.cmp(args, v, '>'));
      case 'ge': return this.strict(args, v, this.cmp(args, v, '>='));
      case 'lt': return this.strict(args, v, this.cmp(args, v, '<'));
      case 'le': return this.strict(args, v, this.cmp(args, v, '<='));
      case 'between': return this.strict(args, v, `(${this.cmp([args[0], args[1]], [a, b], '>=')} && ${this.cmp([args[0], args[2]], [a, c], '<=')})`);
      case 'notBetween': return this.strict(args, v, `!(${this.cmp([args[0], args[1]], [a, b], '>=')} && ${this.cmp([args[0], args[2]], [a, c], '<=')})`);
      case 'in': case 'notIn': {
        const opts = v.slice(1);
        const anyNull = args.slice(1).some((x) => x.type.nullable);
        const hit = opts.map((o, i) => `${this.cmp([args[0], args[i + 1]], [a, o], '===')}`).join(' || ');
        const neg = e.fn === 'notIn';
        const nullCheck = args[0].type.nullable ? `${a} === null ? null : ` : '';
        const miss = anyNull ? `(${opts.map((o) => `${o} === null`).join(' || ')}) ? null : ${neg}` : String(neg);
        return this.bind(`${nullCheck}(${hit}) ? ${!neg} : ${miss}`);
      }
      case 'not': return this.strict(args, v, `!${a}`);
      case 'isNull': return this.bind(`${a} === null`);
      case 'isNotNull': return this.bind(`${a} !== null`);
      case 'isTrue': return this.bind(`${a} === true`);
      case 'isFalse': return this.bind(`${a} === false`);
      case 'like': return this.strict(args, v, `fn.like(${v.join(', ')})`);
      case 'notLike': return this.strict(args, v, `!fn.like(${v.join(', ')})`);
      case 'upper': return this.strict(args, v, `${a}.toUpperCase()`);
      case 'lower': return this.strict(args, v, `${a}.toLowerCase()`);
      case 'trim': return this.strict(args, v, `${a}.trim()`);
      case 'ltrim': return this.strict(args, v, `${a}.trimStart()`);
      case 'rtrim': return this.strict(args, v, `${a}.trimEnd()`);
      case 'replace': return this.strict(args, v, `${a}.split(${b}).join(${c})`);
      case 'position': return this.strict(args, v, `(${b}.indexOf(${a}) + 1)`);
      case 'charLength': return this.strict(args, v, `${a}.length`);
      case 'substring': return this.strict(args, v, `fn.substring(${v.join(', ')})`);
      case 'concat': return this.strict(args, v, v.map((x) => `String(${x})`).join(' + '));
      case 'floor':
        if (args.length === 2) return this.strict(args, v, floorCeil('floor', a, args[1]));
        return this.strict(args, v, `Math.floor(${a})`);
      case 'ceil':
        if (args.length === 2) return this.strict(args, v, floorCeil('ceil', a, args[1]));
        return this.strict(args, v, `Math.ceil(${a})`);
      case 'cast': return this.cast(args[0], a, e.type);
      case 'coalesce': return this.bind(v.map((x) => `${x} !== null ? ${x} : `).join('') + 'null');
      case 'dateFormat': return this.strict(args, v, `fn.dateFormat(${isString(args[0].type) ? `fn.cast(${a}, ${typeJson(e.args[0].type)})` : a}, ${b})`);
      case 'timestampDiff': return this.strict(args, v, `fn.timestampDiff(${v.join(', ')})`);
      case 'extract': return this.strict(args, v, `fn.extract(${v.join(', ')})`);
      case 'currentTimestamp': return this.bind(`Date.now()`);
      case 'toTimestamp': return this.strict(args, v, `fn.cast(${a}, ${typeJson(e.type)})`);
      case 'timestampAdd': return this.strict(args, v, `${c} + ${b} * ({ SECOND: 1000, MINUTE: 60000, HOUR: 3600000, DAY: 86400000 })[${a}]`);
    }
    throw new Error(`codegen: no emitter for ${e.fn}`);
  }

  /** Direct comparison where both sides are of one kind; fn.compare where a string meets a timestamp. */
  private cmp(args: Expr[], v: string[], op: string): string {
    const mixed = (isString(args[0].type) && isTemporal(args[1].type)) || (isTemporal(args[0].type) && isString(args[1].type));
    if (!mixed) return `${v[0]} ${op} ${v[1]}`;
    const rel = op === '===' ? '=== 0' : op === '!==' ? '!== 0' : `${op} 0`;
    return `fn.compare(${v[0]}, ${v[1]}) ${rel}`;
  }

  private cast(arg: Expr, a: string, to: DataType): string {
    if (arg.type.name === to.name && to.name !== 'DECIMAL') return a;
    if (isInteger(to) && isInteger(arg.type)) return a;
    return this.bind(`fn.cast(${a}, ${typeJson(to)})`);
  }

  /** SQL three-valued AND / OR. */
  private logical(op: 'and' | 'or', args: Expr[]): string {
    const [a, b] = args.map((x) => this.emit(x));
    if (!args[0].type.nullable && !args[1].type.nullable) return this.bind(op === 'and' ? `${a} && ${b}` : `${a} || ${b}`);
    const dominant = op === 'and' ? 'false' : 'true';
    return this.bind(`${a} === ${dominant} || ${b} === ${dominant} ? ${dominant} : (${a} === null || ${b} === null ? null : ${!(dominant === 'true')})`);
  }

  /** CASE evaluates only the branch taken (a branch may divide by zero or call a UDF that throws). */
  private caseExpr(args: Expr[]): string {
    const t = this.tmp();
    this.lines.push(`let ${t} = null;`);
    const hasElse = args.length % 2 === 1;
    let depth = 0;
    for (let i = 0; i + 1 < args.length; i += 2) {
      const cond = this.emit(args[i]);
      this.lines.push(`if (${cond} === true) {`);
      this.lines.push(`${t} = ${this.emit(args[i + 1])};`);
      this.lines.push(`} else {`);
      depth++;
    }
    if (hasElse) this.lines.push(`${t} = ${this.emit(args[args.length - 1])};`);
    for (let d = 0; d < depth; d++) this.lines.push('}');
    return t;
  }
}

const FIXED_UNITS: Record<string, number> = { MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/**
 * FLOOR/CEIL to a fixed-length unit is arithmetic; calendar units go through the runtime. Math.floor(v / ms) * ms
 * equals the runtime's v - ((v % ms) + ms) % ms for every integer |v| < 2^53 (the quotient cannot round across
 * an integer there) and costs one division instead of two calls to the C fmod that `%` on doubles becomes.
 */
function floorCeil(kind: 'floor' | 'ceil', v: string, unit: Expr): string {
  const u = unit.kind === 'literal' ? String(unit.value) : '';
  const ms = FIXED_UNITS[u];
  if (ms === undefined) return `fn.${kind}Time(${v}, ${JSON.stringify(u)})`;
  const floor = `(Math.floor(${v} / ${ms}) * ${ms})`;
  return kind === 'floor' ? floor : `(${floor} === ${v} ? ${v} : ${floor} + ${ms})`;
}

function typeJson(t: DataType): string {
  return JSON.stringify({ name: t.name, nullable: t.nullable, precision: t.precision, scale: t.scale });
}
