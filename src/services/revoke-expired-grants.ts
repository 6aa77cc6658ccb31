import { retryDelayMs } from '../domain/grant-rules.js';
import type { Grant } from '../domain/types.js';
import { ProviderError } from '../providers/types.js';
import { claimLeaseMs, type ServiceDeps } from './deps.js';
import { notify } from './notifications.js';


/**
 * Revokes grants whose window has ended, a bounded batch at a time (invariant 5). `revoked` is written
 * only after the provider confirms; failures are retried with backoff forever, never forgotten. When
 * another active grant covers the same entitlement, access stays and only this grant's record ends.
 */
export async function revokeExpiredGrants(deps: ServiceDeps, options: { limit?: number } = {}): Promise<number> {
  const claimed = await deps.store.grants.claimDue('revoke', {
    now: deps.clock.now(),
    owner: deps.workerId,
    leaseMs: claimLeaseMs(deps),
    limit: options.limit ?? 20,
  });
  for (const grant of claimed) await revoke(deps, grant);
  if (claimed.length > 0) deps.wake('deliver-notifications');
  return claimed.length;
}

async function revoke(deps: ServiceDeps, claimed: Grant): Promise<void> {
  const { store, clock, providers, logger, workerId } = deps;
  let grant = claimed;
  if (grant.status === 'active') {
    const now = clock.now();
    const revoking = await store.transaction(async (tx) => {
      const row = await tx.grants.transition(grant.id, 'active', 'revoking', { endReason: 'expired', revokingSince: now });
      if (row) {
        await tx.audit.append({ at: now, actor: 'system', action: 'grant.expired', subjectType: 'grant', subjectId: grant.id, data: {} });
      }
      return row;
    });
    if (!revoking) return;
    grant = revoking;
  }

  const covering = await store.grants.findCovering(grant, clock.now());
  if (!covering) {
    try {
      const provider = providers.get(grant.providerName);
      if (!provider) throw new ProviderError(`provider ${grant.providerName} is not configured`, { retryable: true });
      await provider.revoke(grant.identity, grant.spec);
    } catch (error) {
      const message = (error as Error).message;
      const now = clock.now();
      logger.warn({ grantId: grant.id, err: message, attempts: grant.attempts + 1 }, 'revocation failed; will retry');
      deps.metrics?.revocationFailed();
      await store.grants.recordFailedAttempt(grant.id, workerId, message, new Date(now.getTime() + retryDelayMs(grant.attempts + 1)));
      await alertIfStuck(deps, grant, message, now);
      return;
    }
    await restoreForOverlap(deps, grant);
  }

  const endedAt = clock.now();
  await store.transaction(async (tx) => {
    const revoked = await tx.grants.transition(grant.id, 'revoking', 'revoked', { endedAt, lastError: null }, workerId);
    if (!revoked) return;
    await tx.audit.append({
      at: endedAt,
      actor: 'system',
      action: 'grant.revoked',
      subjectType: 'grant',
      subjectId: grant.id,
      data: covering
        ? { reason: grant.endReason, providerCall: false, coveredBy: covering.id }
        : { reason: grant.endReason, providerCall: true },
    });
    await notify(tx, { kind: 'grant.revoked', grantId: grant.id }, endedAt);
    if (grant.endReason === 'expired' && grant.expiresAt) deps.metrics?.grantRevoked(endedAt.getTime() - grant.expiresAt.getTime());
  });
}

/**
 * Another grant for the same access may have been activated while this revocation was in flight; its
 * holder must keep access (invariant 5), so the provider is asked to grant it again (idempotent).
 */
async function restoreForOverlap(deps: ServiceDeps, revoked: Grant): Promise<void> {
  const other = await deps.store.grants.findCovering(revoked, deps.clock.now(), { includeActivating: true });
  if (!other) return;
  deps.logger.info({ grantId: revoked.id, coveredBy: other.id }, 'access re-granted: an overlapping grant became active during revocation');
  await deps.providers.get(revoked.providerName)?.grant(revoked.identity, revoked.spec);
}

/** A revocation failing for longer than the policy allows is posted to security, once per grant. */
async function alertIfStuck(deps: ServiceDeps, grant: Grant, error: string, now: Date): Promise<void> {
  const since = grant.revokingSince ?? grant.expiresAt;
  if (grant.alertedAt || !since || now.getTime() - since.getTime() < deps.policy.revocationAlertAfterMs) return;
  await deps.store.transaction(async (tx) => {
    if (!(await tx.grants.markAlerted(grant.id, now))) return;
    await tx.audit.append({ at: now, actor: 'system', action: 'grant.revocation_stuck', subjectType: 'grant', subjectId: grant.id, data: { since: since.toISOString(), attempts: grant.attempts + 1, error } });
    await notify(tx, { kind: 'grant.revocation_stuck', grantId: grant.id }, now);
  });
  deps.logger.error({ grantId: grant.id, since: since.toISOString(), err: error }, 'revocation still failing; security alerted');
}
