import { ProviderError } from '../types.js';

/**
 * MySQL/MariaDB error numbers that no retry will fix, with the words a requester reads. Anything not
 * listed (lost connection, refused connection, lock wait timeout 1205, deadlock 1213, too many
 * connections 1040, server shutdown 1053) is retryable: every call is idempotent.
 */
const PERMANENT: Record<number, string> = {
  1044: 'Keycard’s database user may not access that database',
  1045: 'the target server denied Keycard’s database user (wrong credentials, or no right to grant this)',
  1049: 'the database in Keycard’s connection URL does not exist',
  1064: 'the server rejected the statement (a Keycard bug or an unsupported server version)',
  1095: 'Keycard’s database user may not end other users’ sessions (it needs CONNECTION ADMIN)',
  1133: 'the user account does not exist on the target server',
  1142: 'Keycard’s database user lacks a privilege it needs',
  1227: 'Keycard’s database user lacks a privilege it needs',
  1396: 'the user account does not exist on the target server',
  1410: 'Keycard’s database user may not grant this (it needs the privilege WITH GRANT OPTION)',
  1698: 'the target server refused Keycard’s credentials',
  1959: 'the role does not exist on the target server',
  3523: 'the user account or role does not exist on the target server',
};

/** Codes that mean "that grant is not there": a revoke answering this has nothing left to do. */
export const NOT_PRESENT = new Set([
  1141, // ER_NONEXISTING_GRANT: no privileges on that database for that account
  1147, // ER_NONEXISTING_TABLE_GRANT
  1962, // MariaDB ER_CANNOT_REVOKE_ROLE: the role is not granted to that account (or no such account)
]);

export function errno(error: unknown): number | undefined {
  const n = (error as { errno?: unknown })?.errno;
  return typeof n === 'number' ? n : undefined;
}

export function classify(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const n = errno(error);
  const message = (error as Error)?.message ?? String(error);
  if (n !== undefined && PERMANENT[n]) {
    return new ProviderError(`${PERMANENT[n]}: ${message}`, { retryable: false, cause: error });
  }
  return new ProviderError(`MySQL call failed (will retry): ${message}`, { retryable: true, cause: error });
}
