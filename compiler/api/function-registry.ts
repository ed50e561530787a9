// The functions a job may call besides the built-ins: UDF signatures read from udfs/ and the job file at
// compile time, those registered for the job (createTemporarySystemFunction), and those with explicit types.
import type { SourceLoc } from '../../runtime/core/plan.js';
import { udfRegistry } from '../../runtime/core/udf.js';
import { CompileError } from '../ir/diagnostics.js';
import type { FunctionCatalog, UdfSignature } from '../frontend/resolve.js';
import { explicitSignature } from '../frontend/udf-signature.js';

/** Signatures of UDFs registered in this process with explicit types; read-udfs adds the typed-by-signature ones. */
export class FunctionRegistry implements FunctionCatalog {
  private readonly signatures = new Map<string, UdfSignature>();
  /** Functions registered for this job only (createTemporarySystemFunction): their name here → the name udf()/@udf gave them. */
  readonly temporary = new Map<string, string>();

  constructor(base: UdfSignature[] = []) {
    for (const s of base) this.signatures.set(s.name, s);
  }

  udf(name: string): UdfSignature | undefined {
    return this.signatures.get(name) ?? this.signatures.get(name.toLowerCase()) ?? this.fromRegistry(name) ?? this.fromRegistry(name.toLowerCase());
  }

  udfNames(): string[] {
    return [...new Set([...this.signatures.keys(), ...udfRegistry().keys()])];
  }

  add(sig: UdfSignature): void {
    this.signatures.set(sig.name, sig);
  }

  /** createTemporarySystemFunction(name, fn): `fn` must be a UDF whose signature is known here. */
  registerTemporary(name: string, fn: ((...args: any[]) => unknown) | (new () => unknown), loc: SourceLoc | undefined): void {
    const known = [...udfRegistry().values()].find((u) => u.fn === fn);
    if (!known) {
      throw new CompileError(`cannot register function '${name}': it is not a UDF`, loc,
        `wrap it with udf(): const ${name} = udf((x: number): string => ..., { name: '${name}' }) (in the job file or in udfs/); a table or aggregate function class takes @udtf() or @udaf()`);
    }
    const sig = this.udf(known.name);
    if (!sig) {
      throw new CompileError(`cannot type function '${name}': its module is neither the job file nor in udfs/, where signatures are read`, loc,
        `declare it in the job file or in udfs/, or give explicit types: udf(fn, { inputTypes: [DataTypes.INT()], resultType: DataTypes.STRING() })`);
    }
    this.add({ ...sig, name });
    udfRegistry().set(name, { ...known, name });
    this.temporary.set(name, known.name);
  }

  private fromRegistry(name: string): UdfSignature | undefined {
    const u = udfRegistry().get(name);
    return u && explicitSignature(name, u);
  }
}
