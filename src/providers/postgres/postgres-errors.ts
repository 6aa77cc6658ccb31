import { ProviderError } from '../types.js';

/** PostgreSQL SQLSTATE codes that no retry will fix, with the words a requester reads. */
const PERMANENT_STATES: Record<string, string> = {
  '42704': 'the role or login does not exist on the target server',
  '42501': 'Keycard’s database user lacks the permission to do this',
  '0LP01': 'the grant is not allowed (invalid grant operation)',
  '28P01': 'the target server refused Keycard’s password',
  '28000': 'the target server refused Keycard’s credentials',
  '3D000': 'the target database does not exist',
};

export function sqlState(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

/**
 * Everything not known to be permanent is retryable: connection refused or reset, timeouts, server
 * shutting down (57P01), serialization or deadlock conflicts (40001, 40P01). Every call is idempotent,
 * so trying again is always safe.
 */
export function classify(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const state = sqlState(error);
  const message = (error as Error)?.message ?? String(error);
  if (state && PERMANENT_STATES[state]) {
    return new ProviderError(`${PERMANENT_STATES[state]}: ${message}`, { retryable: false, cause: error });
  }
  return new ProviderError(`PostgreSQL call failed (will retry): ${message}`, { retryable: true, cause: error });
}
