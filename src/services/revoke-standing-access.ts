import { entitlementKey, retryDelayMs } from '../domain/grant-rules.js';
import type { RevocationRow } from '../store/revocations-repo.js';
import { ProviderError } from '../providers/types.js';
import { claimLeaseMs, type ServiceDeps } from './deps.js';
import { notify } from './notifications.js';
import { itemSubject } from './review-campaign.js';
import { notifyReviewer } from './review-notifications.js';

/** A revocation still failing after this long is logged as an error (an alert), not a warning. */
const ALERT_AFTER_MS = 5 * 60_000;

/**
 * Removes standing access that a review or a drift check decided to remove, with the guarantees of
 * grant expiry (invariant 5): claimed under a lease, the provider call is idempotent, failures are
 * retried with backoff for as long as it takes, and an item is marked revoked only once the provider
 * confirms. If an active Keycard grant covers the same access by then (someone was approved since),
 * access stays until that grant ends and only the record is closed.
 */
export async function revokeStandingAccess(deps: ServiceDeps, options: { limit?: number } = {}): Promise<number> {
  const claimed = await deps.store.revocations.claimDue({ now: deps.clock.now(), owner: deps.workerId, leaseMs: claimLeaseMs(deps), limit: options.limit ?? 20 });
  for (const revocation of claimed) await revoke(deps, revocation);
  if (claimed.length > 0) {
    deps.wake('deliver-notifications');
    deps.wake('advance-review-campaigns');
  }
  return claimed.length;
}

async function revoke(deps: ServiceDeps, revocation: RevocationRow): Promise<void> {
  const { store, clock, providers, logger, workerId } = deps;
  const covering = await store.reviews.evidence.activeGrantIds(entitlementKey(revocation.providerName, revocation.identity, revocation.spec));
  if (covering.length === 0) {
    try {
      const provider = providers.get(revocation.providerName);
      if (!provider) throw new ProviderError(`provider ${revocation.providerName} is not configured`, { retryable: true });
      await provider.revoke(revocation.identity, revocation.spec);
    } catch (error) {
      const message = (error as Error).message;
      const now = clock.now();
      const failingMs = now.getTime() - revocation.createdAt.getTime();
      const log = { revocationId: revocation.id, source: revocation.source, resource: revocation.resource, identity: revocation.identity, err: message, attempts: revocation.attempts + 1 };
      if (failingMs > ALERT_AFTER_MS) logger.error(log, 'standing access still not revoked; retrying');
      else logger.warn(log, 'standing access revocation failed; will retry');
      await store.revocations.recordFailedAttempt(revocation.id, workerId, message, new Date(now.getTime() + retryDelayMs(revocation.attempts + 1)));
      return;
    }
  }

  const at = clock.now();
  await store.transaction(async (tx) => {
    const done = await tx.revocations.markDone(revocation.id, workerId, at);
    if (!done) return; // our lease lapsed and another process finished it; the provider call was idempotent
    const providerCall = covering.length === 0 ? { providerCall: true } : { providerCall: false, coveredBy: covering };
    if (revocation.source === 'review') {
      const item = await tx.reviews.items.markRevoked(Number(revocation.sourceId), at);
      if (!item) return;
      await tx.audit.append({
        at,
        actor: 'system',
        action: 'review.item_revoked',
        subjectType: 'review',
        subjectId: itemSubject(item.campaignId, item.id),
        data: { resource: item.resource, provider: item.providerName, identity: item.identity, decidedBy: item.decidedBy, unanswered: item.unanswered, ...providerCall },
      });
      if (item.reviewerId) await notifyReviewer(tx, item.campaignId, item.reviewerId, at);
      // Holders of a Keycard grant hear of it from the grant's own end notice.
      if (item.holderId && item.provenance !== 'grant') await notify(tx, { kind: 'review.access_removed', itemId: String(item.id) }, at);
      return;
    }
    const finding = await tx.drift.markRevoked(revocation.sourceId, at);
    if (!finding) return;
    await tx.audit.append({
      at,
      actor: 'system',
      action: 'drift.revoked',
      subjectType: 'drift',
      subjectId: finding.id,
      data: { resource: finding.resource, provider: finding.providerName, identity: finding.identity, ...providerCall },
    });
  });
}
