// The functions a job may call besides the built-ins: UDF signatures read from udfs/ and the job file at
// compile time, those registered for the job (createTemporarySystemFunction), and those with explicit types.
import { udfRegistry } from '../../runtime/core/udf.js';
import type { FunctionCatalog, UdfSignature } from '../frontend/resolve.js';

/** Signatures of UDFs registered in this process with explicit types; read-udfs adds the typed-by-signature ones. */
export class FunctionRegistry implements FunctionCatalog {
  private readonly signatures = new Map<string, UdfSignature>();

  constructor(base: UdfSignature[] = []) {
    for (const s of base) this.signatures.set(s.name, s);
  }

  udf(name: string): UdfSignature | undefined {
    return this.signatures.get(name) ?? this.signatures.get(name.toLowerCase()) ?? this.fromRegistry(name);
  }

  udfNames(): string[] {
    return [...new Set([...this.signatures.keys(), ...udfRegistry().keys()])];
  }

  add(sig: UdfSignature): void {
    this.signatures.set(sig.name, sig);
  }

  private fromRegistry(name: string): UdfSignature | undefined {
    const u = udfRegistry().get(name);
    if (!u || !u.options.inputTypes || !u.options.resultType) return undefined;
    return { name, inputTypes: u.options.inputTypes, resultType: u.options.resultType };
  }
}
