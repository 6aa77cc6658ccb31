import { campaignDueAt } from '../domain/review-rules.js';
import { reviewerRuleText, type ReviewPolicy } from '../policy/review-policy.js';
import type { CampaignRow } from '../store/review-campaigns-repo.js';
import type { Repositories } from '../store/store.js';

/** Helpers shared by the review use cases. */

export const campaignSubject = (campaignId: string) => `campaign:${campaignId}`;
export const reviewerAudience = (reviewerId: string) => `reviewer:${reviewerId}`;

/** Audit subject of one item: the campaign and the item, so a campaign's trail is one prefix. */
export const itemSubject = (campaignId: string, itemId: number) => `${campaignId}/${itemId}`;

/**
 * Records a campaign to build, unless this review already has one for the window (another replica or an
 * earlier run won the unique key). Holders are read afterwards by the build job, in batches.
 */
export async function createCampaign(
  tx: Repositories,
  review: ReviewPolicy,
  options: { trigger: 'schedule' | 'manual'; startedBy: string; windowKey: string; now: Date },
): Promise<CampaignRow | null> {
  const { trigger, startedBy, windowKey, now } = options;
  const campaign = await tx.reviews.campaigns.insertIfAbsent({
    reviewName: review.name,
    windowKey,
    trigger,
    startedBy,
    resources: review.resources,
    reviewer: reviewerRuleText(review.reviewer),
    onNoResponse: review.onNoResponse,
    reportChannel: review.reportChannel,
    createdAt: now,
    dueAt: campaignDueAt(now, review.dueMs),
    remindEveryMs: review.remindEveryMs,
  });
  if (!campaign) return null;
  await tx.audit.append({
    at: now,
    actor: startedBy,
    action: 'review.requested',
    subjectType: 'review',
    subjectId: campaign.id,
    data: { review: review.name, trigger, window: windowKey, resources: review.resources, dueAt: campaign.dueAt.toISOString() },
  });
  return campaign;
}

/** Calls `each` with every reviewer of a campaign, a page of reviewers at a time (there may be thousands). */
export async function forEachReviewerPage(
  tx: Repositories,
  campaignId: string,
  pendingOnly: boolean,
  each: (reviewerIds: string[]) => Promise<void>,
): Promise<number> {
  let after = '';
  let count = 0;
  for (;;) {
    const page = await tx.reviews.items.reviewers(campaignId, { after, limit: 500, pendingOnly });
    if (page.length > 0) await each(page);
    count += page.length;
    if (page.length < 500) return count;
    after = page[page.length - 1]!;
  }
}
