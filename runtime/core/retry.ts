// Retry with backoff, shared by connectors that talk to external systems (MySQL, Elasticsearch, ...).
// A connector says which errors are worth another attempt (a connection refused, a 429) and how long to
// wait; everything else fails at once, because retrying a bad statement or a mapping conflict only delays
// the same answer. Waits end early when the job stops, so a cancelled job does not sit out a long backoff.

/** How many retries follow the first attempt, and how long to wait before each. */
export interface Backoff {
  readonly retries: number;
  /** Wait before retry number `retry` (1-based). */
  delayMs(retry: number): number;
}

export const noRetries: Backoff = { retries: 0, delayMs: () => 0 };

export function constantBackoff(delayMs: number, retries: number): Backoff {
  return { retries, delayMs: () => delayMs };
}

/** initial, 2·initial, 4·initial, ... never longer than maxDelayMs. */
export function exponentialBackoff(initialMs: number, retries: number, maxDelayMs = Infinity): Backoff {
  return { retries, delayMs: (retry) => Math.min(maxDelayMs, initialMs * 2 ** (retry - 1)) };
}

export interface RetryOptions {
  backoff: Backoff;
  /** Whether another attempt may succeed where this one failed. */
  retryable(error: unknown): boolean;
  /** Called before each wait: where connectors log what they are waiting for. */
  onRetry?(error: unknown, retry: number, delayMs: number): void;
  /** Stops waiting (the job is stopping); the last error is thrown then. */
  signal?: AbortSignal;
}

/**
 * Runs `attempt` until it succeeds, the error is not retryable, the retries are used up or the signal fires;
 * then throws the last error unchanged (the caller knows the system and the operation, so it words the message).
 */
export async function retry<T>(attempt: (attemptNo: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      const retryNo = n;
      if (retryNo > options.backoff.retries || !options.retryable(e) || options.signal?.aborted) throw e;
      const delay = options.backoff.delayMs(retryNo);
      options.onRetry?.(e, retryNo, delay);
      if (!(await sleep(delay, options.signal))) throw e;
    }
  }
}

/** Waits `ms`; resolves false when the signal fired first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => { clearTimeout(timer); resolve(false); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(true); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A short, single-line description of any thrown value, for error messages. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const msg = e.message || e.name;
    return typeof code === 'string' && !msg.includes(code) ? `${msg} (${code})` : msg;
  }
  return String(e);
}
