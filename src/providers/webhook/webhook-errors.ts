import { ProviderError } from '../types.js';

/** 408 timeout, 409 conflict, 425 too early, 429 throttled and every 5xx are worth trying again. */
const RETRYABLE_STATUS = new Set([408, 409, 425, 429]);

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || RETRYABLE_STATUS.has(status);
}

/** Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The receiver's own words, when it gave some: `{"error": "…"}` or a short text body. */
export function receiverReason(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const reason = parsed.error ?? parsed.message;
    if (typeof reason === 'string' && reason) return reason.slice(0, 300);
  } catch {
    // not JSON: fall through to the text
  }
  return body.trim().slice(0, 300);
}

export function httpError(action: string, status: number, body: string, retryAfter: string | null, nowMs: number): ProviderError {
  const reason = receiverReason(body);
  const retryable = isRetryableStatus(status);
  const retryAfterMs = retryable ? parseRetryAfter(retryAfter, nowMs) : undefined;
  const wait = retryAfterMs !== undefined ? `; it asked to retry after ${Math.ceil(retryAfterMs / 1000)}s` : '';
  const words = retryable ? 'could not do it now' : 'refused it';
  return new ProviderError(
    `the webhook receiver ${words} (${action}: HTTP ${status}${reason ? `: ${reason}` : ''})${wait}`,
    { retryable, retryAfterMs },
  );
}
