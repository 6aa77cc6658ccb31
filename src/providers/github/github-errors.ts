import { ProviderError } from '../types.js';
import { headerBag, isNetworkFailure, isTransientStatus, retryAfterMs, waitText } from '../http-errors.js';

/** The parts of @octokit/request-error's RequestError we read (duck-typed: it is a transitive package). */
export interface GithubHttpError {
  name: 'HttpError';
  status: number;
  message: string;
  response?: { headers?: Record<string, unknown>; data?: unknown };
}

export function isGithubHttpError(error: unknown): error is GithubHttpError {
  return (error as GithubHttpError | undefined)?.name === 'HttpError' && typeof (error as GithubHttpError).status === 'number';
}

/**
 * GitHub's rate limits answer 403 or 429 (§1.0): primary with `x-ratelimit-remaining: 0`, secondary with
 * `retry-after` or a message naming the secondary limit. All of those pass; any other 403 is a
 * permission GitHub will keep refusing.
 */
function isRateLimited(error: GithubHttpError): boolean {
  if (error.status !== 403 && error.status !== 429) return false;
  const headers = headerBag(error.response?.headers);
  if (error.status === 429 || headers.get('x-ratelimit-remaining') === '0' || headers.get('retry-after')) return true;
  return /rate limit/i.test(vendorMessage(error));
}

function vendorMessage(error: GithubHttpError): string {
  const data = error.response?.data as { message?: unknown } | undefined;
  return typeof data?.message === 'string' ? data.message : error.message;
}

/** Classifies a failed call; `doing` says what Keycard was doing, in words a requester can read. */
export function classifyGithubError(error: unknown, doing: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (!isGithubHttpError(error)) {
    const retryable = isNetworkFailure(error) || !(error instanceof TypeError);
    return new ProviderError(`GitHub: ${doing} failed: ${(error as Error)?.message ?? String(error)}`, { retryable, cause: error });
  }
  const headers = headerBag(error.response?.headers);
  const message = vendorMessage(error);
  if (isRateLimited(error)) {
    const wait = retryAfterMs(headers, Date.now(), 'x-ratelimit-reset');
    return new ProviderError(`GitHub rate limit while trying to ${doing}: ${message}${waitText(wait)}`, { retryable: true, retryAfterMs: wait, cause: error });
  }
  // @octokit/request reports a call that got no answer (timeout, refused connection) as status 500
  // with no response; either way a 5xx is GitHub's problem and passes.
  if (!error.response || isTransientStatus(error.status)) {
    return new ProviderError(`GitHub unavailable while trying to ${doing} (${error.status}): ${message}`, { retryable: true, cause: error });
  }
  const hint = PERMANENT_HINTS[error.status] ?? 'GitHub refused the request';
  const needs = headers.get('x-accepted-github-permissions');
  return new ProviderError(`GitHub: cannot ${doing}: ${hint} (${error.status} ${message})${needs ? `; needs permission ${needs}` : ''}`, {
    retryable: false,
    cause: error,
  });
}

const PERMANENT_HINTS: Record<number, string> = {
  401: 'GitHub refused Keycard’s credentials (token revoked or expired, or the app key is wrong)',
  403: 'Keycard’s token lacks the Members (write) organization permission, or the team is synced from an identity provider',
  404: 'the user, team or organization does not exist, or Keycard’s token cannot see it',
  422: 'GitHub rejected the membership (for example the user cannot be added to this team)',
};
