// defineJob(name, body) and the job arguments, read as Flink's ParameterTool reads them.
import type { TableEnvironment } from './table-environment.js';

export interface JobDefinition {
  readonly kind: 'sluice-job';
  readonly name: string;
  readonly body: (tEnv: TableEnvironment, params: JobParams) => void | Promise<void>;
}

export function defineJob(name: string, body: JobDefinition['body']): JobDefinition {
  return { kind: 'sluice-job', name, body };
}

/** `--key value` and `--flag` arguments, as ParameterTool.fromArgs. */
export class JobParams {
  private readonly values = new Map<string, string>();

  constructor(readonly args: readonly string[] = []) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (!a.startsWith('-')) continue;
      const key = a.replace(/^--?/, '');
      const eq = key.indexOf('=');
      if (eq >= 0) this.values.set(key.slice(0, eq), key.slice(eq + 1));
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) this.values.set(key, args[++i]);
      else this.values.set(key, '__NO_VALUE_KEY');
    }
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  get(key: string, fallback?: string): string | undefined {
    const v = this.values.get(key);
    return v === undefined || v === '__NO_VALUE_KEY' ? fallback : v;
  }

  getInt(key: string, fallback: number): number {
    const v = this.get(key);
    return v === undefined ? fallback : Number.parseInt(v, 10);
  }

  getBoolean(key: string, fallback = false): boolean {
    const v = this.values.get(key);
    return v === undefined ? fallback : v === '__NO_VALUE_KEY' || v === 'true';
  }
}
