import { firstReminderAt } from '../domain/review-rules.js';
import type { Resource } from '../policy/policy.js';
import type { CampaignRow } from '../store/review-campaigns-repo.js';
import type { ServiceDeps } from './deps.js';
import { forEachReviewerPage } from './review-campaign.js';
import { reviewItemRows } from './review-item-rows.js';
import { notifyReviewers } from './review-notifications.js';
import { managersOf, reviewerPool } from './review-people.js';

const LEASE_MS = 5 * 60_000;
const RETRY_MS = 60_000;
const STUCK_AFTER_MS = 15 * 60_000;
/** Items are looked up and inserted this many at a time, each batch in its own statement. */
export const ITEM_BATCH = 1_000;

class LeaseLost extends Error {}

/**
 * Builds one campaign: reads every holder of each resource in scope from its provider (standing access
 * too), records each as an item with its provenance and reviewer in bounded batches, then opens the
 * campaign and tells each reviewer once. A crash or a failing provider leaves the campaign `creating`;
 * the claim lapses and the build starts again, inserting nothing twice (the unique holder key).
 */
export async function buildReviewCampaigns(deps: ServiceDeps, options: { batchSize?: number } = {}): Promise<number> {
  const { store, clock, workerId, logger } = deps;
  const campaign = await store.reviews.campaigns.claimCreating({ now: clock.now(), owner: workerId, leaseMs: LEASE_MS });
  if (!campaign) return 0;
  const skipped: string[] = [];
  try {
    for (const name of campaign.resources) {
      const resource = Object.hasOwn(deps.policy.resources, name) ? deps.policy.resources[name]! : null;
      if (!resource) {
        skipped.push(name); // removed from the policy since the campaign started
        continue;
      }
      await readHolders(deps, campaign, resource, options.batchSize ?? ITEM_BATCH);
    }
  } catch (error) {
    if (error instanceof LeaseLost) return 0;
    const message = (error as Error).message;
    // A campaign cannot leave out holders it could not read, so it waits; after a while that is an alert.
    const stuck = clock.now().getTime() - campaign.createdAt.getTime() > STUCK_AFTER_MS;
    logger[stuck ? 'error' : 'warn']({ campaignId: campaign.id, review: campaign.reviewName, err: message }, 'reading holders for a review failed; will retry');
    await store.reviews.campaigns.deferBuild(campaign.id, workerId, message, new Date(clock.now().getTime() + RETRY_MS));
    return 0;
  }
  await openCampaign(deps, campaign, skipped);
  return 1;
}

async function readHolders(deps: ServiceDeps, campaign: CampaignRow, resource: Resource, batchSize: number): Promise<void> {
  const { store, providers, policy, directory, clock, workerId } = deps;
  const provider = providers.get(resource.providerName);
  if (!provider) throw new Error(`provider ${resource.providerName} is not configured`);
  const pool = await reviewerPool(policy, directory, campaign.reviewer, resource);
  const identityRule = policy.providers[resource.providerName]?.identity;
  const holders = await provider.listHolders(resource.grant);
  for (let start = 0; start < holders.length; start += batchSize) {
    const identities = holders.slice(start, start + batchSize);
    const latest = await store.reviews.evidence.latestGrants(resource.providerName, resource.grant, identities);
    const known = await store.reviews.evidence.holdersOf(resource.providerName, identities.filter((i) => !latest.has(i)));
    const holderIds = [...latest.values()].map((g) => g.holderId).concat([...known.values()]);
    const managers = pool.byManager ? await managersOf(directory, holderIds) : new Map<string, string>();
    const rows = reviewItemRows({ campaignId: campaign.id, resource, identities, evidence: { latest, holders: known, managers }, identityRule, pool });
    await store.reviews.items.insertMany(rows);
    if (!(await store.reviews.campaigns.renewLease(campaign.id, workerId, new Date(clock.now().getTime() + LEASE_MS)))) throw new LeaseLost();
  }
}

async function openCampaign(deps: ServiceDeps, campaign: CampaignRow, skipped: string[]): Promise<void> {
  const { store, clock, workerId } = deps;
  const now = clock.now();
  const opened = await store.transaction(async (tx) => {
    const counts = await tx.reviews.items.counts(campaign.id);
    const nextReminderAt = firstReminderAt(now, campaign.remindEveryMs, campaign.dueAt, campaign.onNoResponse === 'escalate');
    const row = await tx.reviews.campaigns.transition(campaign.id, 'creating', 'open', { openedAt: now, itemCount: counts.total, nextReminderAt, lastError: null }, workerId);
    if (!row) return null; // our claim lapsed and another process opened it
    const reviewers = await forEachReviewerPage(tx, campaign.id, false, (ids) => notifyReviewers(tx, campaign.id, ids, now));
    await tx.audit.append({
      at: now,
      actor: 'system',
      action: 'review.opened',
      subjectType: 'review',
      subjectId: campaign.id,
      data: { review: campaign.reviewName, items: counts.total, reviewers, unassigned: await tx.reviews.items.countUnassigned(campaign.id), skippedResources: skipped },
    });
    return row;
  });
  if (!opened) return;
  deps.wake('deliver-notifications');
  deps.wake('advance-review-campaigns'); // an empty campaign closes at once
}
