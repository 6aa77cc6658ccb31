import { closest } from 'fastest-levenshtein';
import { DomainError } from '../domain/errors.js';
import type { CampaignRow } from '../store/review-campaigns-repo.js';
import type { ServiceDeps } from './deps.js';
import { membershipOf } from './resolve-people.js';
import { createCampaign } from './review-campaign.js';

export interface StartReviewInput {
  reviewName: string;
  /** From the verified Slack payload (invariant 1). */
  startedBy: string;
}

/** `/access review start <name>`: an admin starts a campaign now, outside its schedule. */
export async function startReview(deps: ServiceDeps, input: StartReviewInput): Promise<CampaignRow> {
  const { policy, directory, store, clock } = deps;
  const now = clock.now();
  try {
    const isIn = await membershipOf(policy, directory, input.startedBy, policy.admins);
    if (!isIn(policy.admins)) throw new DomainError('not_an_admin', `${input.startedBy} is not a Keycard admin`);
    const name = input.reviewName.trim();
    const review = Object.hasOwn(policy.reviews, name) ? policy.reviews[name]! : null;
    if (!review) {
      const names = Object.keys(policy.reviews).sort();
      throw new DomainError('unknown_review', `no review named "${name}"`, {
        review: name,
        suggestions: names.length > 0 ? [closest(name, names), ...names.filter((n) => n !== closest(name, names))].slice(0, 5) : [],
      });
    }
    const campaign = await store.transaction(async (tx) => {
      const running = await tx.reviews.campaigns.findRunning(review.name);
      if (running) throw new DomainError('review_running', `review ${review.name} already has campaign ${running.id}`, { review: review.name, campaignId: running.id });
      return createCampaign(tx, review, { trigger: 'manual', startedBy: input.startedBy, windowKey: `manual:${now.toISOString()}`, now });
    });
    if (!campaign) throw new DomainError('review_running', `review ${review.name} was started at the same moment`, { review: review.name, campaignId: '' });
    deps.wake('build-review-campaigns');
    return campaign;
  } catch (error) {
    if (error instanceof DomainError) {
      await store.transaction((tx) =>
        tx.audit.append({ at: now, actor: input.startedBy, action: 'review.start_refused', subjectType: 'review', subjectId: input.reviewName.slice(0, 100), data: { code: error.code } }),
      );
    }
    throw error;
  }
}
