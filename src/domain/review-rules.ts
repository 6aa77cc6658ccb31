import { DomainError } from './errors.js';
import type { Provenance, ReviewCampaign, ReviewDecision, ReviewItem } from './review-types.js';
import type { SlackUserId } from './types.js';

/** Pure rules of access reviews: who reviews what, pages, reminders and due, who may decide. */

/** A stable, well-spread index for `key` among `n` choices (FNV-1a), so re-running an assignment gives the same answer. */
export function stableIndex(key: string, n: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % n;
}

/**
 * Who reviews one holder's access. Nobody reviews their own access: the holder is removed from each
 * list. The first list that still has someone wins (the manager, then the rule's reviewers, then the
 * owners, then the admins); within a list the item goes to one person, spread evenly and stably by key.
 * Null when nobody but the holder could review it.
 */
export function chooseReviewer(key: string, holderId: SlackUserId | null, candidateLists: ReadonlyArray<readonly SlackUserId[]>): SlackUserId | null {
  for (const list of candidateLists) {
    const eligible = [...new Set(list)].filter((id) => id !== holderId).sort();
    if (eligible.length > 0) return eligible[stableIndex(key, eligible.length)]!;
  }
  return null;
}

export interface LatestGrant {
  id: string;
  status: string;
  grantedAt: Date;
  /** A Slack user id, or `policy:<rule>` for an automatic approval. */
  approvedBy: string | null;
  reason: string;
  endedAt: Date | null;
}

/** How the holder came to hold the access, from what Keycard knows. */
export function provenanceOf(identity: string, baseline: readonly string[], latest: LatestGrant | null): Provenance {
  if (latest && ['pending', 'active', 'revoking'].includes(latest.status)) return 'grant';
  if (baseline.includes(identity)) return 'baseline';
  return 'unknown';
}

export const REVIEW_PAGE_SIZE = 10;

export function pageCount(total: number, pageSize = REVIEW_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** A page number within bounds (a stale Next on a shrunk list lands on the last page). */
export function clampPage(page: number, total: number, pageSize = REVIEW_PAGE_SIZE): number {
  if (!Number.isFinite(page) || page < 0) return 0;
  return Math.min(Math.floor(page), pageCount(total, pageSize) - 1);
}

export function campaignDueAt(createdAt: Date, dueMs: number): Date {
  return new Date(createdAt.getTime() + dueMs);
}

/**
 * The first reminder: one interval after the start, if that is before due (or at any time when
 * unanswered items are escalated and so stay open past due).
 */
export function firstReminderAt(createdAt: Date, remindEveryMs: number | null, dueAt: Date, remindPastDue: boolean): Date | null {
  if (!remindEveryMs) return null;
  return nextReminderAfter(createdAt, remindEveryMs, dueAt, remindPastDue, createdAt);
}

/**
 * The reminder after one sent at `previous`, skipping rounds missed while Keycard was down so a late
 * run sends one reminder, not a burst. Null when reminders stop (they stop at due unless escalating).
 */
export function nextReminderAfter(previous: Date, remindEveryMs: number, dueAt: Date, remindPastDue: boolean, now: Date): Date | null {
  const behind = Math.max(0, Math.floor((now.getTime() - previous.getTime()) / remindEveryMs));
  const next = new Date(previous.getTime() + (behind + 1) * remindEveryMs);
  if (!remindPastDue && next.getTime() >= dueAt.getTime()) return null;
  return next;
}

export function isOpenForDecisions(campaign: Pick<ReviewCampaign, 'status'>): boolean {
  return campaign.status === 'open';
}

/**
 * Whether `userId` may decide `item` now. The order is what a person would want to hear first: a
 * closed campaign, then an item that is not theirs, then one already decided.
 */
export function assertCanDecideItem(
  campaign: Pick<ReviewCampaign, 'id' | 'status' | 'dueAt' | 'closedAt' | 'reviewName'>,
  item: Pick<ReviewItem, 'id' | 'reviewerId' | 'holderId' | 'status' | 'decision' | 'decidedBy' | 'decidedAt'>,
  userId: SlackUserId,
): void {
  if (!isOpenForDecisions(campaign)) {
    throw new DomainError('review_closed', `campaign ${campaign.id} is ${campaign.status}`, {
      review: campaign.reviewName,
      status: campaign.status,
      dueAt: campaign.dueAt,
    });
  }
  if (item.holderId === userId) {
    throw new DomainError('self_review', `${userId} may not review their own access (item ${item.id})`, { itemId: item.id });
  }
  if (item.reviewerId !== userId) {
    throw new DomainError('not_your_review_item', `item ${item.id} is assigned to ${item.reviewerId ?? 'nobody'}, not ${userId}`, {
      itemId: item.id,
      reviewerId: item.reviewerId,
    });
  }
  if (item.status !== 'pending') {
    throw new DomainError('review_item_decided', `item ${item.id} is already ${item.status}`, {
      itemId: item.id,
      decision: item.decision,
      decidedBy: item.decidedBy,
      decidedAt: item.decidedAt,
    });
  }
}

/** The item status a decision leads to: keep is final at once; revoke waits for the provider. */
export function statusAfter(decision: ReviewDecision): 'kept' | 'revoking' {
  return decision === 'keep' ? 'kept' : 'revoking';
}

/** Identities a provider lists that nothing Keycard knows explains: drift. */
export function unexpectedHolders(holders: readonly string[], expected: ReadonlySet<string>): string[] {
  return [...new Set(holders)].filter((identity) => !expected.has(identity)).sort();
}
