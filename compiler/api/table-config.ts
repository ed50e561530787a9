// Flink's TableConfig: the job's configuration keys (SET 'key' = 'value', getConfig().set(...)), kept as
// strings and read by the runtime through core/options.ts.
export class TableConfig {
  readonly values: Record<string, string> = {};
  set(key: string, value: string | number | boolean): TableConfig {
    this.values[key] = String(value);
    return this;
  }
  get(key: string, fallback?: string): string | undefined {
    return this.values[key] ?? fallback;
  }
}
