import { headerBag, isNetworkFailure, retryAfterMs, waitText } from '../http-errors.js';
import { ProviderError } from '../types.js';

/** The parts of an AWS SDK v3 service exception we read. */
interface AwsServiceError {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, unknown> };
  RetryAfterSeconds?: number;
}

/**
 * Exception names (§3.5, sanitised `__type`) that a later call may not get. ConflictException is
 * documented as "A retry (with appropriate backoff logic) is the recommended response".
 */
const RETRYABLE = new Set(['ThrottlingException', 'ConflictException', 'InternalServerException', 'ServiceUnavailableException', 'TooManyRequestsException', 'RequestTimeout', 'RequestTimeoutException']);

const PERMANENT_HINTS: Record<string, string> = {
  AccessDeniedException: 'Keycard’s AWS role lacks a permission (see docs/providers/aws.md for the policy)',
  ResourceNotFoundException: 'the instance, permission set, account or user does not exist',
  ValidationException: 'AWS rejected the request as invalid (check the account id and permission set ARN)',
  ServiceQuotaExceededException: 'an IAM Identity Center quota is exhausted; ask AWS for more',
  UnrecognizedClientException: 'AWS does not recognise Keycard’s access key',
  InvalidSignatureException: 'AWS rejected the request signature (wrong secret key or clock skew)',
  ExpiredTokenException: 'Keycard’s AWS session token has expired',
  CredentialsProviderError: 'Keycard has no AWS credentials (set them in the provider or the environment)',
};

/** Classifies a failed SDK call; `doing` says what Keycard was doing, in words a requester can read. */
export function classifyAwsError(error: unknown, doing: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (error ?? {}) as AwsServiceError;
  const status = e.$metadata?.httpStatusCode;
  if (isNetworkFailure(error) || RETRYABLE.has(e.name) || e.$fault === 'server' || status === 429 || (status !== undefined && status >= 500)) {
    const wait = e.RetryAfterSeconds !== undefined ? e.RetryAfterSeconds * 1000 : retryAfterMs(headerBag(e.$response?.headers));
    return new ProviderError(`AWS busy or unavailable while trying to ${doing} (${e.name}: ${e.message})${waitText(wait)}`, {
      retryable: true,
      retryAfterMs: wait,
      cause: error,
    });
  }
  const hint = PERMANENT_HINTS[e.name];
  if (hint || e.$fault === 'client') {
    return new ProviderError(`AWS: cannot ${doing}: ${hint ?? 'AWS refused the request'} (${e.name}: ${e.message})`, { retryable: false, cause: error });
  }
  // Not an AWS answer and not a network failure: assume passing, as isRetryable() does.
  return new ProviderError(`AWS: ${doing} failed: ${e.message ?? String(error)}`, { retryable: true, cause: error });
}

/**
 * An assignment request that ended FAILED (§3.3) carries only a free-text FailureReason. Reasons that
 * name throttling, conflicts or internal errors pass. Otherwise a creation failure is permanent (the
 * grant is marked failed with AWS's reason), but a deletion failure stays retryable: access that may
 * still be held must never be given up on.
 */
export function classifyFailedAssignment(reason: string | undefined, operation: 'create' | 'delete', doing: string): ProviderError {
  const text = reason ?? 'no reason given';
  const transient = /throttl|rate exceeded|too many requests|conflict|in progress|internal|try again|timed? ?out|temporar|unavailable/i.test(text);
  const retryable = transient || operation === 'delete';
  return new ProviderError(`AWS: ${doing} failed at IAM Identity Center: ${text}`, { retryable });
}
