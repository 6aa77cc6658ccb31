import { chooseReviewer } from '../domain/review-rules.js';
import type { CampaignRow } from '../store/review-campaigns-repo.js';
import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';
import { notifyReviewers } from './review-notifications.js';
import { escalationLists, reviewerPool, type ReviewerPool } from './review-people.js';
import { queueReviewRevocations } from './review-revocations.js';

const BATCH = 500;
/** Bounds one run; the next run continues where this one stopped. */
const MAX_BATCHES = 20;

/**
 * At due, `on_no_response` applies to every undecided item: `revoke` queues removals (confirmed by the
 * provider before an item is marked revoked), `keep` keeps them, `escalate` hands them up a level and
 * leaves the campaign open. The campaign stops taking decisions first (one compare-and-set), then items
 * are worked in bounded batches, each batch in its own transaction, so 100,000 items never make one.
 */
export async function applyReviewDue(deps: ServiceDeps): Promise<number> {
  const { store, clock } = deps;
  const now = clock.now();
  for (const campaign of await store.reviews.campaigns.listPastDue(now, 10)) {
    await store.transaction(async (tx) => {
      const escalate = campaign.onNoResponse === 'escalate';
      const row = await tx.reviews.campaigns.markDue(campaign.id, escalate ? 'open' : 'closing', escalate ? { dueAppliedAt: now, escalatedAt: now } : { dueAppliedAt: now });
      if (!row) return;
      const counts = await tx.reviews.items.counts(campaign.id);
      await tx.audit.append({
        at: now,
        actor: 'system',
        action: 'review.due',
        subjectType: 'review',
        subjectId: campaign.id,
        data: { onNoResponse: campaign.onNoResponse, undecided: counts.pending },
      });
    });
  }
  let worked = 0;
  for (const campaign of await store.reviews.campaigns.listDefaulting(10)) worked += await defaultUndecided(deps, campaign);
  for (const campaign of await store.reviews.campaigns.listEscalating(10)) worked += await escalateUndecided(deps, campaign);
  if (worked > 0) {
    deps.wake('deliver-notifications');
    deps.wake('revoke-standing-access');
    deps.wake('revoke-expired-grants');
  }
  return worked;
}

async function defaultUndecided(deps: ServiceDeps, campaign: CampaignRow): Promise<number> {
  const { store, clock } = deps;
  const decision = campaign.onNoResponse === 'keep' ? 'keep' : 'revoke';
  let worked = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
    const now = clock.now();
    const count = await store.transaction(async (tx) => {
      const decided = await tx.reviews.items.decideUnanswered(campaign.id, decision, now, BATCH);
      if (decided.length === 0) return 0;
      if (decision === 'revoke') await queueReviewRevocations(tx, campaign, decided, 'system', now);
      // One event per batch: which items the deadline decided, and how.
      await tx.audit.append({
        at: now,
        actor: 'system',
        action: decision === 'keep' ? 'review.items_kept_unanswered' : 'review.items_revoked_unanswered',
        subjectType: 'review',
        subjectId: campaign.id,
        data: { count: decided.length, itemIds: decided.map((i) => i.id) },
      });
      await notifyReviewers(tx, campaign.id, decided.map((i) => i.reviewerId), now);
      return decided.length;
    });
    worked += count;
    if (count < BATCH) break;
  }
  return worked;
}

async function escalateUndecided(deps: ServiceDeps, campaign: CampaignRow): Promise<number> {
  const { store, clock, policy, directory } = deps;
  const pools = new Map<string, ReviewerPool | null>();
  const poolFor = async (resourceName: string) => {
    if (!pools.has(resourceName)) {
      const resource = Object.hasOwn(policy.resources, resourceName) ? policy.resources[resourceName]! : null;
      pools.set(resourceName, resource ? await reviewerPool(policy, directory, campaign.reviewer, resource) : null);
    }
    return pools.get(resourceName)!;
  };
  const told = new Set<string>();
  let worked = 0;
  let afterId = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
    const items = await store.reviews.items.pendingNotEscalated(campaign.id, afterId, BATCH);
    if (items.length === 0) break;
    afterId = items[items.length - 1]!.id;
    const moves = new Map<string | null, number[]>();
    for (const item of items) {
      const pool = await poolFor(item.resource);
      const target = pool ? chooseReviewer(`${item.resource}|${item.identity}|escalated`, item.holderId, escalationLists(pool, item.reviewerId)) : null;
      const to = target ?? item.reviewerId; // nobody above: it stays where it is, marked escalated
      moves.set(to, [...(moves.get(to) ?? []), item.id]);
    }
    const now = clock.now();
    await store.transaction(async (tx) => {
      for (const [to, ids] of moves) await tx.reviews.items.reassign(ids, to);
      const previous = new Set(items.map((i) => i.reviewerId).filter((r): r is string => r !== null));
      await notifyReviewers(tx, campaign.id, [...moves.keys(), ...previous], now);
      for (const to of moves.keys()) {
        if (to === null) continue;
        // Delivery posts the escalation notice once per person (its ts is stored), however often this runs.
        if (!told.has(to)) await notify(tx, { kind: 'review.escalated', campaignId: campaign.id, ownerId: to }, now);
        told.add(to);
      }
      await tx.audit.append({
        at: now,
        actor: 'system',
        action: 'review.escalated',
        subjectType: 'review',
        subjectId: campaign.id,
        data: { items: items.length, to: [...moves.entries()].map(([reviewerId, ids]) => ({ reviewerId, items: ids.length })) },
      });
    });
    worked += items.length;
  }
  return worked;
}
