import type { GrantStatus } from './types.js';

const ALLOWED: Record<GrantStatus, readonly GrantStatus[]> = {
  // pending → revoking: a leaver's (or a signal's) approved grant is ended before it activates. The revoke
  // job still calls the provider, since an activation in flight may have granted it meanwhile.
  pending: ['active', 'failed', 'revoking'],
  active: ['revoking'],
  revoking: ['revoked'],
  revoked: [],
  failed: [],
};

/** pending → active → revoking → revoked, plus pending → failed and pending → revoking. */
export function canTransitionGrant(from: GrantStatus, to: GrantStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The window counts from activation (invariant 4). */
export function expiryFromActivation(activatedAt: Date, durationMs: number): Date {
  return new Date(activatedAt.getTime() + durationMs);
}

const BASE_BACKOFF_MS = 2_000;
const MAX_BACKOFF_MS = 5 * 60_000;

/** Exponential backoff for provider retries: 2s, 4s, 8s … capped at five minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

/** A stable key for "the same access at the provider": provider, identity and the grant spec. */
export function entitlementKey(providerName: string, identity: string, spec: Record<string, unknown>): string {
  return `${providerName}|${identity}|${canonicalJson(spec)}`;
}

/** JSON with object keys sorted, so equal values always serialise the same way. */
export function canonicalJson(value: unknown): string {
  // Serialise what JSON (and so jsonb) would store: a Date becomes its ISO string, not `{}`, so a hash
  // over canonicalJson still matches the row read back from the database.
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
