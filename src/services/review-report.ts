import { DomainError } from '../domain/errors.js';
import type { ReviewCounts } from '../domain/review-types.js';
import type { CampaignRow } from '../store/review-campaigns-repo.js';
import type { ReviewItemRow } from '../store/review-items-repo.js';
import type { ServiceDeps } from './deps.js';

/** A campaign's outcome: the evidence an auditor asks for. */
export interface ReviewSummary extends ReviewCounts {
  campaignId: string;
  review: string;
  trigger: CampaignRow['trigger'];
  startedBy: string;
  status: CampaignRow['status'];
  resources: string[];
  onNoResponse: CampaignRow['onNoResponse'];
  createdAt: Date;
  dueAt: Date;
  /** When the last item got its decision. */
  decidedAt: Date | null;
  /** When every revocation was confirmed and the campaign closed. */
  closedAt: Date | null;
  /** From the start to the last decision (null while items are undecided). */
  timeToCompleteMs: number | null;
  byResource: Array<{ resource: string } & ReviewCounts>;
}

export async function reviewSummary(deps: Pick<ServiceDeps, 'store'>, campaignId: string): Promise<ReviewSummary | null> {
  const campaign = await deps.store.reviews.campaigns.findById(campaignId);
  if (!campaign) return null;
  const [counts, byResource] = await Promise.all([deps.store.reviews.items.counts(campaign.id), deps.store.reviews.items.countsByResource(campaign.id)]);
  return {
    campaignId: campaign.id,
    review: campaign.reviewName,
    trigger: campaign.trigger,
    startedBy: campaign.startedBy,
    status: campaign.status,
    resources: campaign.resources,
    onNoResponse: campaign.onNoResponse,
    createdAt: campaign.createdAt,
    dueAt: campaign.dueAt,
    decidedAt: campaign.decidedAt,
    closedAt: campaign.closedAt,
    timeToCompleteMs: campaign.decidedAt ? campaign.decidedAt.getTime() - campaign.createdAt.getTime() : null,
    ...counts,
    byResource,
  };
}

const PAGE = 1_000;

/** Every item of a campaign, a page at a time, so an export of 100,000 items never sits in memory. */
export async function* reviewItemsOf(deps: Pick<ServiceDeps, 'store'>, campaignId: string): AsyncGenerator<ReviewItemRow> {
  let afterId = 0;
  for (;;) {
    const page = await deps.store.reviews.items.after(campaignId, afterId, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    afterId = page[page.length - 1]!.id;
  }
}

/**
 * An export over the authenticated HTTP API; the export itself is audited (who took the evidence,
 * when). The caller streams `items`.
 */
export async function exportReviewReport(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  input: { campaignId: string; actor: string; format: 'csv' | 'json' },
): Promise<{ summary: ReviewSummary; items: AsyncGenerator<ReviewItemRow> }> {
  const summary = await reviewSummary(deps, input.campaignId);
  if (!summary) throw new DomainError('review_not_found', `no campaign ${input.campaignId}`);
  await deps.store.transaction((tx) =>
    tx.audit.append({ at: deps.clock.now(), actor: input.actor, action: 'review.report_exported', subjectType: 'review', subjectId: summary.campaignId, data: { format: input.format, items: summary.total } }),
  );
  return { summary, items: reviewItemsOf(deps, summary.campaignId) };
}
