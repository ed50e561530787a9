// The runtime's logger: pino, to stderr so that stdout stays for job output (print sink, CLI answers).
// One readable line per entry, on a terminal and when piped or written to a file (`npm start | tee`);
// JSON lines (for collectors) only with SLUICE_LOG_FORMAT=json, which `--log-format json` sets.
import pino from 'pino';

export type Logger = pino.Logger;

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Turns pino's JSON line into `HH:MM:SS INFO  message key=value ...`. */
export function textLine(json: string): string {
  const { level, time, msg, name: _name, ...rest } = JSON.parse(json) as Record<string, unknown>;
  const when = new Date(time as number).toISOString().slice(11, 19);
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  return `${when} ${(LEVELS[level as number] ?? String(level)).padEnd(5)} ${msg ?? ''}${fields ? '  ' + fields : ''}\n`;
}

export const LOG_FORMATS = ['text', 'json'] as const;

export function createLogger(name: string, level = process.env.SLUICE_LOG_LEVEL ?? 'info'): Logger {
  const json = process.env.SLUICE_LOG_FORMAT === 'json';
  const destination = json ? pino.destination(2) : { write: (line: string) => process.stderr.write(textLine(line)) };
  return pino({ name, level, base: undefined }, destination);
}
