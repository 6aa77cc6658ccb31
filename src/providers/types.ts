import type { z } from 'zod';

/**
 * What every provider adapter does. Calls must be idempotent (invariant 7): granting access that is
 * already held and revoking access that is absent both succeed.
 */
export interface Provider {
  /** The instance name from `providers:` in access.yaml. */
  readonly name: string;
  readonly kind: string;
  grant(identity: string, spec: Record<string, unknown>): Promise<void>;
  revoke(identity: string, spec: Record<string, unknown>): Promise<void>;
  /** Every identity that holds this entitlement now, however it got there. */
  listHolders(spec: Record<string, unknown>): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A provider failure, classified. Retryable failures (timeouts, throttling, conflicts, server errors)
 * are tried again with backoff; permanent ones (unknown user, missing permission) fail the grant.
 */
export class ProviderError extends Error {
  readonly retryable: boolean;
  /** How long the target asked us to wait (e.g. an HTTP Retry-After), when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryable: boolean; cause?: unknown; retryAfterMs?: number }) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Unknown errors are assumed passing: retrying is safe because every call is idempotent. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ProviderError ? error.retryable : true;
}

/** A kind of provider: its own schemas for instance settings and for a resource's `grant:` block. */
export interface ProviderKind<Config = unknown, GrantSpec = unknown> {
  readonly kind: string;
  /** Instance settings (everything beside `kind` and `identity`), after `env:` values are resolved. */
  readonly configSchema: z.ZodType<Config>;
  readonly grantSchema: z.ZodType<GrantSpec>;
  create(name: string, config: Config): Provider;
}
