import { entitlementKey } from '../domain/grant-rules.js';
import type { CampaignRow } from '../store/review-campaigns-repo.js';
import type { ReviewItemRow } from '../store/review-items-repo.js';
import type { Repositories } from '../store/store.js';

/**
 * Queues the removal of reviewed access, in the caller's transaction. The provider is called by the
 * revoke-standing-access job, which marks an item revoked only once the provider confirms (invariant 5).
 * Where the holder has an active Keycard grant of the same access, that grant ends too (it is revoked by
 * the grant expiry job, which tells the holder): otherwise it would still count as expected access.
 */
export async function queueReviewRevocations(tx: Repositories, campaign: Pick<CampaignRow, 'id' | 'reviewName'>, items: ReviewItemRow[], actor: string, now: Date): Promise<void> {
  await tx.revocations.insertMany(
    items.map((item) => ({
      source: 'review' as const,
      sourceId: String(item.id),
      providerName: item.providerName,
      resource: item.resource,
      identity: item.identity,
      spec: item.spec,
      createdAt: now,
    })),
  );
  for (const item of items.filter((i) => i.provenance === 'grant')) {
    for (const grantId of await tx.reviews.evidence.activeGrantIds(entitlementKey(item.providerName, item.identity, item.spec))) {
      const ended = await tx.grants.transition(grantId, 'active', 'revoking', { endReason: `revoked in review ${campaign.reviewName}`, nextAttemptAt: now });
      if (!ended) continue;
      await tx.audit.append({
        at: now,
        actor,
        action: 'grant.revoked_in_review',
        subjectType: 'grant',
        subjectId: grantId,
        data: { campaignId: campaign.id, itemId: item.id },
      });
    }
  }
}
