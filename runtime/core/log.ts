// The runtime's logger: pino, to stderr so that stdout stays for job output (print sink, CLI answers).
// JSON lines by default (for files and collectors); on a terminal, or with SLUICE_LOG_FORMAT=text, one
// readable line per entry.
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

export function createLogger(name: string, level = process.env.SLUICE_LOG_LEVEL ?? 'info'): Logger {
  const text = process.env.SLUICE_LOG_FORMAT === 'text' || (process.env.SLUICE_LOG_FORMAT !== 'json' && process.stderr.isTTY);
  const destination = text ? { write: (line: string) => process.stderr.write(textLine(line)) } : pino.destination(2);
  return pino({ name, level, base: undefined }, destination);
}
