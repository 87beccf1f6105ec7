/**
 * Backoff for the token endpoint: capped exponential with jitter, and a server's Retry-After
 * honoured (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) up to a ceiling, beyond which waiting
 * is pointless for a scheduled run and the failure is reported instead.
 */
export interface RetryPolicy {
  /** Attempts after the first (default 4). */
  readonly retries: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Longest Retry-After this run waits for (default 120 s). */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  minBackoffMs: 500,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 120_000,
};

/** Wait before attempt `attempt` (1 = the first retry). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const exp = Math.min(policy.maxBackoffMs, policy.minBackoffMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/** Milliseconds a Retry-After header asks for; undefined when absent or unreadable. */
export function retryAfterMs(
  header: string | null,
  nowMs: number = Date.now(),
): number | undefined {
  if (header === null) return undefined;
  const h = header.trim();
  if (/^\d+$/.test(h)) return Number(h) * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
