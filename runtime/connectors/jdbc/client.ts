// The only importer of mysql2: a small pool behind an interface naming just what the jdbc sink uses
// (statements with ? placeholders on a pooled connection, release or discard it), plus the knowledge of
// which MySQL errors are transient. Every connection's session runs in UTC, so TIMESTAMP columns store the
// UTC wall-clock values the sink writes (sluice's timestamps are epoch millis read as UTC).
import mysql from 'mysql2/promise';

export interface SqlConnection {
  /** Runs one statement; values are bound to its ? placeholders by the driver. Returns a SELECT's rows. */
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Returns the connection to the pool. */
  release(): void;
  /** Closes the connection instead of pooling it: after an error it may be broken. */
  destroy(): void;
}

export interface SqlClient {
  /** A pooled connection whose session time zone is UTC. */
  connect(): Promise<SqlConnection>;
  end(): Promise<void>;
}

interface SqlClientConfig {
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
  connectTimeoutMs: number;
}

export function createSqlClient(config: SqlClientConfig): SqlClient {
  const pool = mysql.createPool({
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    connectTimeout: config.connectTimeoutMs,
    // A sink sends one batch at a time; the second connection serves the schema check and a reconnect.
    connectionLimit: 2,
    maxIdle: 2,
    enableKeepAlive: true,
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: true,
  });
  // Sessions already switched to UTC, by their underlying connection (a pooled one is reused).
  const utc = new WeakSet<object>();

  return {
    async connect() {
      const conn = await pool.getConnection();
      try {
        if (!utc.has(conn.connection)) {
          await conn.query("SET time_zone = '+00:00'");
          utc.add(conn.connection);
        }
      } catch (e) {
        conn.destroy();
        throw e;
      }
      return {
        async query(sql, params) {
          const [rows] = await conn.query(sql, params as unknown[] | undefined);
          return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
        },
        release: () => conn.release(),
        destroy: () => conn.destroy(),
      };
    },
    end: () => pool.end(),
  };
}

/** Error codes after which the same statement may succeed: the server was unreachable, restarted, or busy. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED', 'ER_QUERY_INTERRUPTED',
  'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_OUT_OF_RESOURCES',
  'CR_SERVER_GONE_ERROR', 'CR_SERVER_LOST', 'CR_CONN_HOST_ERROR', 'CR_CONNECTION_ERROR',
]);

export function isTransientSqlError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const err = e as Error & { code?: string; fatal?: boolean };
  if (err.code !== undefined && TRANSIENT_CODES.has(err.code)) return true;
  // mysql2 marks errors that broke the connection as fatal; a closed connection refuses further commands.
  return err.fatal === true || /connection is in closed state|Connection lost/i.test(err.message);
}

