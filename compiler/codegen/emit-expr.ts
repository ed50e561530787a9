// Compiles a typed expression into JavaScript statements and a result variable, with SQL's NULL rules
// emitted only where a value can be NULL (types say which), so that non-null arithmetic is plain `a + b`.
import { builtin, constsOf, type SpecialForm } from '../../runtime/core/builtins.js';
import { typeToString } from '../../runtime/core/data-types.js';
import { decimalLiteral } from '../../runtime/core/decimal.js';
import type { Expr } from '../../runtime/core/expr.js';

export interface ExprScope {
  /** JS text reading a column of the current row. */
  field(name: string): string;
  /** JS identifier of a UDF function. */
  udf(name: string): string;
  /** JS text reading the watermark the stage's operator received (null before one); absent outside a fused stage. */
  watermark?: () => string;
}

export class ExprEmitter {
  readonly lines: string[] = [];
  private counter = 0;

  constructor(private readonly scope: ExprScope, private readonly prefix: string) {}

  /** Emits statements into `lines`; returns an expression (a variable or a constant) holding the value. */
  emit(e: Expr): string {
    switch (e.kind) {
      case 'field': return this.scope.field(e.name);
      // A DECIMAL literal is a bigint literal (core/decimal.ts), from the text the plan keeps.
      case 'literal': return e.type.name === 'DECIMAL' && e.value !== null ? `${decimalLiteral(e.value as string, e.type.precision ?? 10, e.type.scale ?? 0)}n` : JSON.stringify(e.value);
      case 'udf': {
        const args = e.args.map((a) => this.emit(a));
        const call = `${this.scope.udf(e.name)}(${args.join(', ')})`;
        if (e.type.nullable) return this.bind(call, '?? null');
        // A NOT NULL result that is missing fails the job naming the UDF (fn.udfReturnedNull throws).
        const t = this.bind(call);
        this.lines.push(`if (${t} == null) fn.udfReturnedNull(${JSON.stringify(e.name)}, ${JSON.stringify(typeToString(e.type))}, [${args.join(', ')}], ${t});`);
        return t;
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

  /** A builtin from its entry in the function table: inlined where it has a JS form, else its implementation. */
  private call(e: Extract<Expr, { kind: 'call' }>): string {
    const args = e.args as Expr[];
    const ev = builtin(e.fn).eval;
    switch (ev.kind) {
      case 'special': return this.special(ev.form, args);
      case 'strict': case 'nullable': {
        const v = args.map((a) => this.emit(a));
        const consts = constsOf(e.fn, e).map((c) => JSON.stringify(c));
        const body = ev.inline?.(v, e) ?? `fn.impl.${e.fn}(${[...v, ...consts].join(', ')})`;
        return ev.kind === 'strict' ? this.strict(args, v, body) : this.bind(body);
      }
      default: { const never: never = ev; throw new Error(`codegen: no emitter for ${JSON.stringify(never)}`); }
    }
  }

  private special(form: SpecialForm, args: Expr[]): string {
    switch (form) {
      case 'case': return this.caseExpr(args);
      case 'and': case 'or': return this.logical(form, args);
      case 'now': return this.bind('Date.now()');
      case 'today': return this.bind('(Math.floor(Date.now() / 86400000) * 86400000)');
      case 'timeOfDay': return this.bind('(Math.floor(Date.now() % 86400000 / 1000) * 1000)');
      case 'watermark': {
        if (!this.scope.watermark) throw new Error('CURRENT_WATERMARK is only supported in the select list and WHERE of a query (not in computed columns or join conditions)');
        return this.bind(this.scope.watermark());
      }
      default: { const never: never = form; throw new Error(`codegen: no emitter for ${never}`); }
    }
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
