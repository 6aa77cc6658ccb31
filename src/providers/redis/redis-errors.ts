import { ProviderError } from '../types.js';

/**
 * Redis error replies start with a code word. These mean a retry cannot help: Keycard's Redis user
 * lacks a permission (NOPERM), its credentials are wrong (WRONGPASS, NOAUTH), or a rule is malformed
 * or the server has no ACLs (ERR …). Everything else — refused or dropped connections, timeouts,
 * LOADING, BUSY, TRYAGAIN, MASTERDOWN — is retryable; every call is idempotent.
 */
const PERMANENT: Array<[RegExp, string]> = [
  [/^NOPERM/, 'Keycard’s Redis user lacks a permission it needs'],
  [/^(WRONGPASS|NOAUTH)/, 'the Redis server refused Keycard’s credentials'],
  [/^ERR Error in ACL SETUSER modifier/, 'the Redis server rejected an ACL rule in the grant block'],
  [/^ERR (unknown command|unknown subcommand)/, 'the Redis server does not support ACL users (Redis 7 or later is needed)'],
];

export function classify(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const message = (error as Error)?.message ?? String(error);
  for (const [pattern, words] of PERMANENT) {
    if (pattern.test(message)) return new ProviderError(`${words}: ${message}`, { retryable: false, cause: error });
  }
  return new ProviderError(`Redis call failed (will retry): ${message}`, { retryable: true, cause: error });
}
