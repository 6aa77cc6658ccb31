import { nextReminderAfter } from '../domain/review-rules.js';
import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';
import { forEachReviewerPage } from './review-campaign.js';

/**
 * Every `remind_every`, reminds each reviewer who still has undecided items. Reminders stop at due,
 * except under `on_no_response: escalate`, where the campaign stays open and the new reviewers are
 * reminded too. Each round is claimed by compare-and-set on the campaign, so replicas send it once.
 */
export async function remindReviewers(deps: ServiceDeps, options: { limit?: number } = {}): Promise<number> {
  const { store, clock } = deps;
  const now = clock.now();
  let reminded = 0;
  for (const campaign of await store.reviews.campaigns.listRemindersDue(now, options.limit ?? 10)) {
    const seen = campaign.nextReminderAt!;
    const next = campaign.remindEveryMs ? nextReminderAfter(seen, campaign.remindEveryMs, campaign.dueAt, campaign.onNoResponse === 'escalate', now) : null;
    reminded += await store.transaction(async (tx) => {
      const advanced = await tx.reviews.campaigns.advanceReminder(campaign.id, seen, next);
      if (!advanced) return 0;
      const round = advanced.remindersSent;
      const reviewers = await forEachReviewerPage(tx, campaign.id, true, async (ids) => {
        for (const reviewerId of ids) await notify(tx, { kind: 'review.reminder', campaignId: campaign.id, reviewerId, round }, now);
      });
      await tx.audit.append({
        at: now,
        actor: 'system',
        action: 'review.reminded',
        subjectType: 'review',
        subjectId: campaign.id,
        data: { round, reviewers, nextReminderAt: next?.toISOString() ?? null },
      });
      return reviewers;
    });
  }
  if (reminded > 0) deps.wake('deliver-notifications');
  return reminded;
}
