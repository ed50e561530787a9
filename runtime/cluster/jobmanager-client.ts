// A small client for the jobmanager's HTTP endpoints (the REST API and the taskmanager protocol), used by
// the CLI and by taskmanagers: JSON in and out, the bearer token when one is configured, Flink's
// {"errors": [...]} turned into an error with the status.
export class RestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'RestError';
  }
}

/** The jobmanager could not be reached at all (nothing listening, connection reset). */
export class UnreachableError extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(`no jobmanager reachable at ${url} (${(cause as Error)?.message ?? cause})`);
    this.name = 'UnreachableError';
  }
}

export interface RequestOptions {
  body?: unknown;
  /** A multipart form instead of JSON. */
  form?: FormData;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class RestClient {
  constructor(readonly baseUrl: string, private readonly token: string | null = null, private readonly extraHeaders: Record<string, string> = {}) {}

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { ...this.extraHeaders };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | FormData | undefined;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const signals = [AbortSignal.timeout(opts.timeoutMs ?? 30_000), ...(opts.signal ? [opts.signal] : [])];
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, { method, headers, body, signal: AbortSignal.any(signals) });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new UnreachableError(this.baseUrl, (e as { cause?: unknown }).cause ?? e);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: reported below with the status.
    }
    if (!res.ok) {
      const errors = (json as { errors?: unknown[] } | null)?.errors;
      const message = Array.isArray(errors) && errors.length ? errors.map(String).join('; ') : text || res.statusText;
      throw new RestError(res.status, message);
    }
    return json as T;
  }

  get<T>(path: string, opts?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, opts);
  }

  post<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body: body ?? {} });
  }
}
