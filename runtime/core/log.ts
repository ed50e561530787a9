// The runtime's logger: pino, to stderr so that stdout stays for job output (print sink, CLI answers).
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(name: string, level = process.env.SLUICE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: undefined }, pino.destination(2));
}
