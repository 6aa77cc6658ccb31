import { headerBag, isNetworkFailure, isTransientStatus, retryAfterMs, waitText } from '../http-errors.js';
import { ProviderError } from '../types.js';

/** A Kubernetes `Status` object (§4.4), as far as we read it. */
interface Status {
  message?: string;
  reason?: string;
  details?: { retryAfterSeconds?: number };
}

/** client-node's ApiException: HTTP code, body as text, response headers. */
export interface KubeApiError {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function isKubeApiError(error: unknown): error is KubeApiError {
  return typeof (error as KubeApiError | undefined)?.code === 'number' && 'body' in (error as object);
}

export function statusOf(error: KubeApiError): Status {
  if (typeof error.body === 'object' && error.body !== null) return error.body as Status;
  try {
    return JSON.parse(String(error.body ?? '')) as Status;
  } catch {
    return {};
  }
}

const PERMANENT_HINTS: Record<number, string> = {
  400: 'the API server rejected the request',
  401: 'the API server refused Keycard’s token',
  403: 'Keycard’s service account may not manage this binding (it needs create/delete/list on the bindings and bind on the role)',
  404: 'the namespace does not exist',
  422: 'the API server rejected the binding as invalid',
};

/** Classifies a failed call; `doing` says what Keycard was doing, in words a requester can read. */
export function classifyKubeError(error: unknown, doing: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (isKubeApiError(error)) {
    const status = statusOf(error);
    const detail = `${error.code}${status.reason ? ` ${status.reason}` : ''}: ${status.message ?? 'no message'}`;
    // 410 Gone: a list `continue` token expired (§4.5); listing again from the start works.
    if (isTransientStatus(error.code) || error.code === 410) {
      const header = retryAfterMs(headerBag(error.headers));
      const wait = header ?? (status.details?.retryAfterSeconds !== undefined ? status.details.retryAfterSeconds * 1000 : undefined);
      return new ProviderError(`Kubernetes busy or unavailable while trying to ${doing} (${detail})${waitText(wait)}`, { retryable: true, retryAfterMs: wait, cause: error });
    }
    const hint = PERMANENT_HINTS[error.code] ?? 'the API server refused the request';
    return new ProviderError(`Kubernetes: cannot ${doing}: ${hint} (${detail})`, { retryable: false, cause: error });
  }
  const retryable = isNetworkFailure(error) || !(error instanceof TypeError);
  return new ProviderError(`Kubernetes: ${doing} failed: ${(error as Error)?.message ?? String(error)}`, { retryable, cause: error });
}
