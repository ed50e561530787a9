// Stops and starts one server of the local stack (stack/down.sh, stack/up.sh) for failover tests, and a
// logger that keeps what sinks log, so tests can see that a sink really retried; where the stack's MariaDB is.
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** The stack's MariaDB (overridable by MYSQL_* variables) and its jdbc URL. */
export const MYSQL = {
  host: process.env.MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.MYSQL_PORT ?? 3306),
  user: process.env.MYSQL_USER ?? 'sql-demo',
  password: process.env.MYSQL_PASSWORD ?? 'demo-sql',
  database: process.env.MYSQL_DATABASE ?? 'sql-demo',
};
export const MYSQL_URL = `jdbc:mysql://${MYSQL.host}:${MYSQL.port}/${MYSQL.database}`;

export type StackServer = 'mariadb' | 'elasticsearch';

/** Runs `bash stack/<up|down>.sh <server>`; rejects with the script's output when it fails. */
export async function stack(command: 'up' | 'down', server: StackServer): Promise<void> {
  try {
    await run('bash', [`stack/${command}.sh`, server], { cwd: REPO, timeout: 240_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`bash stack/${command}.sh ${server} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

/** A pino logger at warn level whose lines are kept in `lines` (parsed JSON). */
export function capturingLogger(): { log: pino.Logger; lines: { msg: string; [k: string]: unknown }[] } {
  const lines: { msg: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  return { log, lines };
}

export const STACK_HINT = ' (is the local stack running? `bash stack/up.sh`)';
