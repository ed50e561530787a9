// The dashboard's one way to the jobmanager: fetch with the REST token (asked for once on a 401 and kept for
// the browser tab), Flink's {"errors": [...]} bodies turned into messages, and a polling hook for live pages.
import { useEffect, useRef, useState } from 'preact/hooks';

const TOKEN_KEY = 'sluice.rest-token';
export const UNAUTHORIZED_EVENT = 'sluice-unauthorized';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function authHeaders(): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A request; the response as text. A 4xx/5xx becomes an ApiError with Flink's error messages. */
export async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const isForm = body instanceof FormData;
  const res = await fetch(path, {
    method,
    headers: { ...authHeaders(), ...(body !== undefined && !isForm ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
  });
  if (res.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  if (!res.ok) {
    const text = await res.text();
    let message = text || res.statusText;
    try {
      const errors = (JSON.parse(text) as { errors?: string[] }).errors;
      if (errors?.length) message = errors.join('; ');
    } catch { /* not JSON: keep the text */ }
    throw new ApiError(res.status, message);
  }
  return res;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const text = await (await request(method, path, body)).text();
  return (text ? JSON.parse(text) : {}) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  reload: () => void;
}

/**
 * GET `path` now and every `intervalMs` while the component is shown (null: nothing to fetch). A failed
 * poll keeps the last data and reports the error; a 404 is an answer too (the route or object is not there).
 */
export function usePoll<T>(path: string | null, intervalMs = 2000, asText = false): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  current.current = path;
  useEffect(() => {
    setData(undefined);
    setError(undefined);
  }, [path]);
  useEffect(() => {
    if (path === null) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const once = async () => {
      try {
        const res = await request('GET', path);
        const value = (asText ? await res.text() : await res.json()) as T;
        if (!stopped && current.current === path) { setData(value); setError(undefined); }
      } catch (e) {
        if (!stopped && current.current === path) setError(e as Error);
      }
      if (!stopped && intervalMs > 0) timer = setTimeout(once, intervalMs);
    };
    void once();
    return () => { stopped = true; if (timer) clearTimeout(timer); };
  }, [path, intervalMs, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
