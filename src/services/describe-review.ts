import { clampPage, pageCount, REVIEW_PAGE_SIZE } from '../domain/review-rules.js';
import type { ReviewCounts } from '../domain/review-types.js';
import type { CampaignRow } from '../store/review-campaigns-repo.js';
import type { ReviewItemRow } from '../store/review-items-repo.js';
import type { ServiceDeps } from './deps.js';
import { campaignSubject, reviewerAudience } from './review-campaign.js';

/** One reviewer's view of a campaign: their counts and the page of items they are looking at. */
export interface ReviewerView {
  campaign: CampaignRow;
  description: string;
  reviewerId: string;
  counts: ReviewCounts;
  page: number;
  pages: number;
  items: ReviewItemRow[];
  /** Where the message was posted, if it was. */
  posted: { channel: string; ts: string } | null;
}

export async function describeReviewerView(deps: Pick<ServiceDeps, 'store' | 'policy'>, campaignId: string, reviewerId: string): Promise<ReviewerView | null> {
  const { store, policy } = deps;
  const campaign = await store.reviews.campaigns.findById(campaignId);
  if (!campaign) return null;
  const [counts, message] = await Promise.all([store.reviews.items.counts(campaign.id, reviewerId), store.reviews.messages.find(campaignSubject(campaign.id), reviewerAudience(reviewerId))]);
  const page = clampPage(message?.page ?? 0, counts.total);
  const items = await store.reviews.items.page(campaign.id, reviewerId, page, REVIEW_PAGE_SIZE);
  return {
    campaign,
    description: Object.hasOwn(policy.reviews, campaign.reviewName) ? policy.reviews[campaign.reviewName]!.description : campaign.reviewName,
    reviewerId,
    counts,
    page,
    pages: pageCount(counts.total),
    items,
    posted: message && message.ts ? { channel: message.channel, ts: message.ts } : null,
  };
}
