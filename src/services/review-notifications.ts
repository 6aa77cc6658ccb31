import type { Repositories } from '../store/store.js';

/** Notifications about reviews and drift; delivered by the Slack edge like every other (invariant 8). */
export type ReviewNotification =
  /** Post or edit the reviewer's one message for the campaign, from current state. */
  | { kind: 'review.message'; campaignId: string; reviewerId: string }
  /** Tell a reviewer with items left that the campaign is waiting for them. */
  | { kind: 'review.reminder'; campaignId: string; reviewerId: string; round: number }
  /** Tell an owner that undecided items past due are now theirs. */
  | { kind: 'review.escalated'; campaignId: string; ownerId: string }
  /** Post the campaign's summary (report channel, and whoever started it by hand). */
  | { kind: 'review.report'; campaignId: string }
  /** Tell a holder that a review removed their standing access. */
  | { kind: 'review.access_removed'; itemId: string }
  /** Tell an owner about access a drift check found that Keycard does not expect. */
  | { kind: 'drift.detected'; runId: string; resource: string; ownerId: string };

/**
 * The reviewer's message is edited from current state, so one waiting update covers any number of
 * changes: enqueue only where none is waiting (see enqueueReviewerUpdates).
 */
export async function notifyReviewers(tx: Repositories, campaignId: string, reviewerIds: Iterable<string | null>, now: Date): Promise<void> {
  await tx.reviews.messages.enqueueReviewerUpdates(campaignId, [...reviewerIds].filter((id): id is string => id !== null), now);
}

export async function notifyReviewer(tx: Repositories, campaignId: string, reviewerId: string, now: Date): Promise<void> {
  await notifyReviewers(tx, campaignId, [reviewerId], now);
}
