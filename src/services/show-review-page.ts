import { DomainError } from '../domain/errors.js';
import { clampPage } from '../domain/review-rules.js';
import type { ServiceDeps } from './deps.js';
import { campaignSubject, reviewerAudience } from './review-campaign.js';
import { notifyReviewer } from './review-notifications.js';

/**
 * Previous / Next on a reviewer's message: remembers the page and has the message redrawn through the
 * outbox, the only writer of that message, so a page turn and a progress update never overwrite each
 * other. Which page someone looks at is not a governance change, so it is not audited.
 */
export async function showReviewPage(deps: ServiceDeps, input: { campaignId: string; reviewerId: string; page: number }): Promise<number> {
  const { store, clock } = deps;
  const campaign = await store.reviews.campaigns.findById(input.campaignId);
  if (!campaign) throw new DomainError('review_not_found', `no campaign ${input.campaignId}`);
  const mine = await store.reviews.items.counts(campaign.id, input.reviewerId);
  if (mine.total === 0) throw new DomainError('not_your_review_item', `${input.reviewerId} has no items in ${campaign.id}`, { reviewerId: null });
  const page = clampPage(input.page, mine.total);
  const now = clock.now();
  await store.transaction(async (tx) => {
    await tx.reviews.messages.setPage(campaignSubject(campaign.id), reviewerAudience(input.reviewerId), page);
    await notifyReviewer(tx, campaign.id, input.reviewerId, now);
  });
  deps.wake('deliver-notifications');
  return page;
}
