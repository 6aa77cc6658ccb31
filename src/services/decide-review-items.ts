import { DomainError, isDomainError } from '../domain/errors.js';
import { assertCanDecideItem } from '../domain/review-rules.js';
import type { ReviewDecision } from '../domain/review-types.js';
import type { ReviewItemRow } from '../store/review-items-repo.js';
import type { ServiceDeps } from './deps.js';
import { itemSubject } from './review-campaign.js';
import { notifyReviewer } from './review-notifications.js';
import { queueReviewRevocations } from './review-revocations.js';

export interface DecideReviewInput {
  /** From the verified Slack payload (invariant 1); the button only names which items. */
  reviewerId: string;
  itemIds: number[];
  decision: ReviewDecision;
  /** `item`: one Keep/Revoke. `page`: Keep all / Revoke all, which skips items already decided. */
  scope: 'item' | 'page';
}

export interface DecideReviewResult {
  campaignId: string;
  decided: ReviewItemRow[];
}

const MAX_ITEMS = 100;

/**
 * Records a reviewer's Keep or Revoke. The items are locked and leave `pending` by compare-and-set, and
 * the campaign is held against its due transition, so a decision and the deadline never both apply.
 */
export async function decideReviewItems(deps: ServiceDeps, input: DecideReviewInput): Promise<DecideReviewResult> {
  const { store, clock } = deps;
  const now = clock.now();
  const ids = [...new Set(input.itemIds)].filter((id) => Number.isSafeInteger(id) && id > 0).slice(0, MAX_ITEMS);
  try {
    const result = await store.transaction(async (tx) => {
      const items = await tx.reviews.items.lockMany(ids);
      const campaignId = items[0]?.campaignId;
      if (!campaignId || items.length !== ids.length || items.some((i) => i.campaignId !== campaignId)) {
        throw new DomainError('review_not_found', `no review items ${ids.join(', ')}`);
      }
      const campaign = await tx.reviews.campaigns.lockForDecision(campaignId);
      if (!campaign) throw new DomainError('review_not_found', `no campaign ${campaignId}`);
      const undecided = input.scope === 'page' ? items.filter((i) => i.status === 'pending') : items;
      // A page with nothing left to decide is refused like a click on its first item would be.
      for (const item of undecided.length > 0 ? undecided : items.slice(0, 1)) assertCanDecideItem(campaign, item, input.reviewerId);

      const decided: ReviewItemRow[] = [];
      for (const item of undecided) {
        const row = await tx.reviews.items.decide(item.id, input.decision, { decidedBy: input.reviewerId, decidedAt: now, unanswered: false });
        if (!row) continue;
        decided.push(row);
        await tx.audit.append({
          at: now,
          actor: input.reviewerId,
          action: input.decision === 'keep' ? 'review.item_kept' : 'review.item_revoke_requested',
          subjectType: 'review',
          subjectId: itemSubject(campaignId, item.id),
          data: { resource: item.resource, provider: item.providerName, identity: item.identity, holderId: item.holderId, provenance: item.provenance },
        });
      }
      if (input.decision === 'revoke') await queueReviewRevocations(tx, campaign, decided, input.reviewerId, now);
      await notifyReviewer(tx, campaignId, input.reviewerId, now);
      return { campaignId, decided };
    });
    deps.wake('deliver-notifications');
    if (input.decision === 'revoke') {
      deps.wake('revoke-standing-access');
      deps.wake('revoke-expired-grants');
    }
    deps.wake('advance-review-campaigns');
    return result;
  } catch (error) {
    if (isDomainError(error)) {
      // Refused attempts are audited too, in their own transaction since the decision's was rolled back.
      await store.transaction((tx) =>
        tx.audit.append({
          at: now,
          actor: input.reviewerId,
          action: 'review.decision_refused',
          subjectType: 'review',
          subjectId: ids.map(String).join(',').slice(0, 200) || 'none',
          data: { decision: input.decision, scope: input.scope, code: error.code },
        }),
      );
    }
    throw error;
  }
}

/** Parses item ids from a button value (`12` or `12,13,14`); junk becomes an empty list (→ not found). */
export function parseItemIds(value: string): number[] {
  return value
    .split(',')
    .map((part) => (/^\d{1,15}$/.test(part.trim()) ? Number(part.trim()) : NaN))
    .filter((n) => Number.isSafeInteger(n) && n > 0);
}
