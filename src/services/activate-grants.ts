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
  const recorded = await store.transaction(async (tx) => {
    const expiresAt = expiryFromActivation(activatedAt, grant.durationMs);
    const active = await tx.grants.transition(grant.id, 'pending', 'active', { activatedAt, expiresAt, lastError: null, nextAttemptAt: expiresAt }, workerId);
    if (!active) return false; // our lease ended and another process took the grant over
    await tx.audit.append({
      at: activatedAt,
      actor: 'system',
      action: 'grant.activated',
      subjectType: 'grant',
      subjectId: grant.id,
      data: { provider: grant.providerName, identity: grant.identity, expiresAt: expiresAt.toISOString() },
    });
    await notify(tx, { kind: 'grant.activated', grantId: grant.id }, activatedAt);
    return true;
  });
  if (!recorded) await undoLateGrant(deps, grant);
}

/**
 * Our provider call outlived our lease and another process took the grant over. If that grant has
 * already ended (or failed), our late call may have given back access nobody holds: take it away again,
 * unless another grant still covers it (invariant 5).
 */
async function undoLateGrant(deps: ServiceDeps, claimed: Grant): Promise<void> {
  const now = deps.clock.now();
  const current = await deps.store.grants.findById(claimed.id);
  if (!current || !['revoking', 'revoked', 'failed'].includes(current.status)) return;
  if (await deps.store.grants.findCovering(current, now, { includeActivating: true })) return;
  deps.logger.warn({ grantId: claimed.id, status: current.status }, 'a late grant call landed after the grant ended; revoking it again');
  try {
    await deps.providers.get(claimed.providerName)?.revoke(claimed.identity, claimed.spec);
    await deps.store.transaction((tx) =>
      tx.audit.append({ at: now, actor: 'system', action: 'grant.late_call_undone', subjectType: 'grant', subjectId: claimed.id, data: { status: current.status } }),
    );
  } catch (error) {
    // Left for drift detection, which compares what providers hold with what Keycard expects.
    deps.logger.error({ grantId: claimed.id, err: (error as Error).message }, 'could not undo a late grant call');
  }
}
