/**
 * Failure classification shared by the HTTP-based vendor providers (github, okta, aws, kubernetes).
 * The rule from issue 4: timeouts, throttling, conflicts and server errors are retryable; unknown users
 * and missing permissions are permanent. Each provider adds its vendor's special cases on top.
 */

/** HTTP statuses that a later identical call may well not get. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * True for a failure that never got an HTTP answer: refused or reset connection, DNS, or our own
 * timeout (AbortSignal.timeout → TimeoutError/AbortError). Walks `cause`, where fetch puts the detail.
 */
export function isNetworkFailure(error: unknown): boolean {
  for (let e = error as { name?: string; code?: string; type?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
    if (e.type === 'aborted' || e.type === 'request-timeout') return true; // node-fetch v2
    if (e.code && NETWORK_CODES.has(e.code)) return true;
    if (e.name === 'FetchError' && e.type === 'system') return true;
  }
  return false;
}

/**
 * How long the vendor asked us to wait, from Retry-After (seconds or an HTTP date) or else an
 * epoch-seconds reset header (GitHub `x-ratelimit-reset`, Okta `X-Rate-Limit-Reset`). Undefined when
 * the answer said nothing; the caller's own backoff applies then.
 */
export function retryAfterMs(
  headers: { get(name: string): string | null | undefined },
  now: number = Date.now(),
  resetHeader?: string,
): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const ms = /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms)) return Math.max(0, ms);
  }
  const reset = resetHeader ? headers.get(resetHeader) : undefined;
  if (reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}

/** " (retry after 30s)" for an error message, so whoever reads the grant's last error knows too. */
export function waitText(ms: number | undefined): string {
  return ms === undefined ? '' : ` (retry after ${Math.ceil(ms / 1000)}s)`;
}

/** Header lookup over a plain object (octokit, client-node) with the same shape as `Headers`. */
export function headerBag(headers: Record<string, unknown> | undefined): { get(name: string): string | undefined } {
  const lower = Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name) => (lower[name.toLowerCase()] === undefined ? undefined : String(lower[name.toLowerCase()])) };
}

/** Private keys from environment variables often arrive with literal `\n`; PEM needs real newlines. */
export function normalizePem(pem: string): string {
  return pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
}
