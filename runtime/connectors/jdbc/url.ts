// Parses the 'url' option of the jdbc connector, 'jdbc:mysql://host[:port]/database[?params]', into what the
// MySQL client needs. Shared by option validation (compile time) and the sink (run time), so a URL the
// compiler accepts is one the sink can connect to.

export interface JdbcTarget {
  host: string;
  port: number;
  database: string;
  /** 'user' / 'password' URL parameters, which JDBC drivers also read (the options win over them). */
  user?: string;
  password?: string;
  /** Other URL parameters (useSSL, serverTimezone, ...): Java driver settings that have no meaning here. */
  ignored: string[];
}

const FORM = "jdbc:mysql://host[:port]/database";

/** The parsed URL, or a reason why it is not one this connector can use. */
export function parseJdbcUrl(url: string): JdbcTarget | { error: string } {
  const m = /^jdbc:(mysql|mariadb):(\/\/.*)$/i.exec(url.trim());
  if (!m) return { error: `'${url}' is not a MySQL JDBC URL; expected ${FORM}` };
  let parsed: URL;
  try {
    // A non-special scheme: WHATWG URL keeps host, port and path as written.
    parsed = new URL(`mysql:${m[2]}`);
  } catch {
    return { error: `'${url}' is not a valid URL; expected ${FORM}` };
  }
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  if (host === '') return { error: `'${url}' names no host; expected ${FORM}` };
  if (host.includes(',')) return { error: `'${url}' lists several hosts; only one MySQL server is supported` };
  const port = parsed.port === '' ? 3306 : Number(parsed.port);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) return { error: `'${url}' names no database; expected ${FORM}` };
  const params = parsed.searchParams;
  return {
    host,
    port,
    database,
    user: params.get('user') ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined),
    password: params.get('password') ?? (parsed.password ? decodeURIComponent(parsed.password) : undefined),
    ignored: [...params.keys()].filter((k) => k !== 'user' && k !== 'password'),
  };
}
