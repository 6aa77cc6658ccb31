import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';
import { forEachReviewerPage } from './review-campaign.js';
import { notifyReviewers } from './review-notifications.js';

/**
 * Campaigns whose items are all decided stop taking decisions (`closing`); once every revocation is
 * confirmed by its provider they are `closed`, the summary is posted and each reviewer's message shows
 * the final state. Compare-and-set transitions make this safe to run on every replica.
 */
export async function closeReviewCampaigns(deps: ServiceDeps): Promise<number> {
  const { store, clock } = deps;
  let closed = 0;
  for (const campaign of await store.reviews.campaigns.listSettled(20)) {
    const now = clock.now();
    const decidedAt = campaign.decidedAt ?? now;
    if (campaign.status === 'closing' && campaign.revoking) {
      if (!campaign.decidedAt) await store.reviews.campaigns.update(campaign.id, { decidedAt });
      continue; // revocations still waiting for their provider
    }
    const to = campaign.revoking ? 'closing' : 'closed';
    const done = await store.transaction(async (tx) => {
      const row = await tx.reviews.campaigns.transition(campaign.id, campaign.status, to, { decidedAt, ...(to === 'closed' ? { closedAt: now } : {}) });
      if (!row) return false;
      const counts = await tx.reviews.items.counts(campaign.id);
      await tx.audit.append({
        at: now,
        actor: 'system',
        action: to === 'closed' ? 'review.closed' : 'review.decided',
        subjectType: 'review',
        subjectId: campaign.id,
        data: { ...counts, timeToCompleteMs: decidedAt.getTime() - campaign.createdAt.getTime() },
      });
      await forEachReviewerPage(tx, campaign.id, false, (ids) => notifyReviewers(tx, campaign.id, ids, now));
      if (to === 'closed') await notify(tx, { kind: 'review.report', campaignId: campaign.id }, now);
      return to === 'closed';
    });
    if (done) closed += 1;
  }
  if (closed > 0) deps.wake('deliver-notifications');
  return closed;
}
