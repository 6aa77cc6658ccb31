import { dueWindow, windowKey } from '../domain/review-schedule.js';
import type { ServiceDeps } from './deps.js';
import { createCampaign } from './review-campaign.js';

/**
 * Starts the campaigns whose schedule fired: one per review per window. Every replica may run this;
 * the unique (review, window) key lets exactly one insert win (invariant 7). A window missed while
 * Keycard was down is still started while less than the review's `due` has passed since it fired.
 */
export async function scheduleReviewCampaigns(deps: ServiceDeps): Promise<number> {
  const { policy, store, clock, logger } = deps;
  const now = clock.now();
  let started = 0;
  for (const review of Object.values(policy.reviews)) {
    const fired = dueWindow(review.schedule, review.timezone, now, review.dueMs);
    if (!fired) continue;
    const campaign = await store.transaction(async (tx) => {
      // One campaign of a review at a time: while one still takes decisions the window waits (and is
      // started on a later run, within the grace above, once that one has closed).
      if (await tx.reviews.campaigns.findRunning(review.name)) return null;
      return createCampaign(tx, review, { trigger: 'schedule', startedBy: 'system', windowKey: windowKey(fired), now });
    });
    if (campaign) {
      started += 1;
      logger.info({ review: review.name, campaignId: campaign.id, window: windowKey(fired) }, 'review campaign scheduled');
    }
  }
  if (started > 0) deps.wake('build-review-campaigns');
  return started;
}
