import { DomainError } from './errors.js';
import type { Grant } from './types.js';

/**
 * An extension adds time to an active grant's end; the whole window, from activation, never exceeds
 * the resource's longest total time (invariant 4).
 */
export function extendedExpiry(grant: Pick<Grant, 'activatedAt' | 'expiresAt'>, extensionMs: number, maxTotalMs: number): Date {
  const activatedAt = grant.activatedAt!.getTime();
  const newExpiry = grant.expiresAt!.getTime() + extensionMs;
  if (newExpiry - activatedAt > maxTotalMs) {
    throw new DomainError('extension_too_long', 'the extension would run past the longest total time', {
      maxTotalMs,
      remainingMs: Math.max(0, activatedAt + maxTotalMs - grant.expiresAt!.getTime()),
    });
  }
  return new Date(newExpiry);
}

export function assertActive(grant: Pick<Grant, 'id' | 'status'>): void {
  if (grant.status !== 'active') {
    throw new DomainError('grant_not_active', `grant ${grant.id} is ${grant.status}`, { status: grant.status });
  }
}
