// Compile errors: a message, where (file:line:col) and a hint. The CLI prints `file:line:col: message` then the hint.
import type { SourceLoc } from '../../runtime/core/plan.js';
import { formatLoc } from './source-loc.js';

export class CompileError extends Error {
  constructor(message: string, readonly loc: SourceLoc | undefined, readonly hint?: string) {
    super(message);
    this.name = 'CompileError';
  }

  /** `jobs/x.ts:12:5: message` and, on the next line, the hint. */
  format(): string {
    return `${formatLoc(this.loc)}: error: ${this.message}` + (this.hint ? `\n  hint: ${this.hint}` : '');
  }
}

/** A compile warning: the job compiles, but something in it is likely not what the user wants (printed like an error). */
export class CompileWarning {
  constructor(readonly message: string, readonly loc: SourceLoc | undefined, readonly hint?: string) {}

  format(): string {
    return `${formatLoc(this.loc)}: warning: ${this.message}` + (this.hint ? `\n  hint: ${this.hint}` : '');
  }
}
