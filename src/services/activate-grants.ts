import { expiryFromActivation, retryDelayMs } from '../domain/grant-rules.js';
import type { Grant } from '../domain/types.js';
import { isRetryable } from '../providers/types.js';
import { claimLeaseMs, type ServiceDeps } from './deps.js';
import { notify } from './notifications.js';


/**
 * Grants access at the provider for approved grants that are due, a bounded batch at a time. The window
 * starts when the provider confirms (invariant 4). Retryable failures back off; permanent ones fail the grant.
 */
export async function activateDueGrants(deps: ServiceDeps, options: { limit?: number } = {}): Promise<number> {
  const claimed = await deps.store.grants.claimDue('activate', {
    now: deps.clock.now(),
    owner: deps.workerId,
    leaseMs: claimLeaseMs(deps),
    limit: options.limit ?? 20,
  });
  for (const grant of claimed) await activate(deps, grant);
  if (claimed.length > 0) deps.wake('deliver-notifications');
  return claimed.length;
}

async function activate(deps: ServiceDeps, grant: Grant): Promise<void> {
  const { store, clock, providers, logger, workerId } = deps;
  const provider = providers.get(grant.providerName);
  try {
    if (!provider) throw new Error(`provider ${grant.providerName} is not configured`);
    await provider.grant(grant.identity, grant.spec);
  } catch (error) {
    const message = (error as Error).message;
    const now = clock.now();
    if (provider && isRetryable(error)) {
      logger.warn({ grantId: grant.id, err: message, attempts: grant.attempts + 1 }, 'grant activation failed; will retry');
      await store.grants.recordFailedAttempt(grant.id, workerId, message, new Date(now.getTime() + retryDelayMs(grant.attempts + 1)));
      return;
    }
    logger.error({ grantId: grant.id, err: message }, 'grant activation failed permanently');
    await store.transaction(async (tx) => {
      const failed = await tx.grants.transition(grant.id, 'pending', 'failed', { endedAt: now, lastError: message }, workerId);
      if (!failed) return;
      await tx.audit.append({ at: now, actor: 'system', action: 'grant.failed', subjectType: 'grant', subjectId: grant.id, data: { error: message } });
      await notify(tx, { kind: 'grant.failed', grantId: grant.id }, now);
    });
    return;
  }
  const activatedAt = clock.now();
  await store.transaction(async (tx) => {
    const expiresAt = expiryFromActivation(activatedAt, grant.durationMs);
    const active = await tx.grants.transition(grant.id, 'pending', 'active', { activatedAt, expiresAt, lastError: null, nextAttemptAt: expiresAt }, workerId);
    if (!active) return; // our lease ended and another process finished it; the provider call was idempotent
    await tx.audit.append({
      at: activatedAt,
      actor: 'system',
      action: 'grant.activated',
      subjectType: 'grant',
      subjectId: grant.id,
      data: { provider: grant.providerName, identity: grant.identity, expiresAt: expiresAt.toISOString() },
    });
    await notify(tx, { kind: 'grant.activated', grantId: grant.id }, activatedAt);
  });
}
