import { chooseReviewer } from '../domain/review-rules.js';
import type { AccessRequest, Grant } from '../domain/types.js';
import type { Repositories } from '../store/store.js';
import type { ServiceDeps } from './deps.js';
import { endGrantsNow } from './end-grants-now.js';
import { notify } from './notifications.js';
import { resolvePeople } from './resolve-people.js';
import { notifyReviewers } from './review-notifications.js';
import { escalationLists, reviewerPool } from './review-people.js';
import { endedGrant, type Reassignment, type SecurityNotice } from './security-notice.js';

export interface OffboardInput {
  /** The person's Slack ids (usually one), from a verified Slack event or an authenticated SCIM call. */
  slackUserIds: string[];
  /** How the person is named to the security channel: an email, or a Slack mention. */
  label: string;
  source: 'slack' | 'scim';
  /** `slack:user_change`, `scim:<client>` … */
  actor: string;
  /** Why, in words: recorded on each grant and request. */
  reason: string;
}

export interface OffboardResult {
  grants: Grant[];
  cancelled: AccessRequest[];
  reassigned: Reassignment[];
  /** Review items the leaver had still to decide, handed to another reviewer. */
  reviewItemsReassigned: number;
  /** Nothing was left to do and the person was already offboarded (a retried event). */
  alreadyOffboarded: boolean;
}

/**
 * A leaver loses everything at once, in one transaction: every grant goes to `revoking` (the revoke job
 * then removes it at each provider and retries until confirmed), their pending requests are cancelled,
 * they leave the approver lists of others' pending requests (which are topped up from the policy, and
 * whose owners hear of it when too few approvers remain), new requests are refused, and the security
 * channel gets a summary. Running it again changes nothing and posts nothing.
 */
export async function offboardPrincipal(deps: ServiceDeps, input: OffboardInput): Promise<OffboardResult> {
  const { store, clock, policy } = deps;
  const leavers = new Set(input.slackUserIds);
  // Slack lookups happen before the transaction, so no row stays locked while Slack answers.
  const replacements = await approversByResource(deps, leavers);
  const handovers = await reviewHandovers(deps, leavers);

  const now = clock.now();
  const result = await store.transaction(async (tx) => {
    const grants: Grant[] = [];
    const cancelled: AccessRequest[] = [];
    const reassigned: Reassignment[] = [];
    let alreadyFrozen = true;
    for (const id of leavers) {
      const held = await tx.grants.listByHolder(id, ['pending', 'active']);
      grants.push(...(await endGrantsNow(tx, held, { actor: input.actor, reason: input.reason, action: 'grant.revoked_by_offboarding', now })));

      for (const request of await tx.requests.listByRequester(id, ['pending'])) {
        const row = await tx.requests.decide(request.id, 'cancelled', { decidedAt: now, decidedBy: null, decisionReason: input.reason });
        if (!row) continue;
        await tx.audit.append({ at: now, actor: input.actor, action: 'request.cancelled', subjectType: 'request', subjectId: row.id, data: { reason: input.reason } });
        await notify(tx, { kind: 'request.progress', requestId: row.id }, now); // approvers' copies lose their buttons
        cancelled.push(row);
      }

      if (!(await hasOffboardingFreeze(tx, id, now))) {
        await tx.signals.freeze({ slackUserId: id, cause: 'offboarding', reason: input.reason, until: null }, now);
        alreadyFrozen = false;
      }
    }

    for (const id of leavers) {
      for (const request of await tx.requests.lockPendingWithApprover(id)) {
        const plan = replacements.get(request.resource);
        const approverIds = [...new Set([...request.approverIds, ...(plan?.candidates ?? [])])].filter((a) => !leavers.has(a) && a !== request.requesterId);
        const row = await tx.requests.replaceApprovers(request.id, approverIds);
        if (!row) continue;
        const added = approverIds.filter((a) => !request.approverIds.includes(a));
        const short = approverIds.length < request.requiredApprovals;
        const change: Reassignment = { requestId: row.id, resource: row.resource, requesterId: row.requesterId, removed: request.approverIds.filter((a) => leavers.has(a)), added, short };
        await tx.audit.append({ at: now, actor: input.actor, action: 'request.approvers_reassigned', subjectType: 'request', subjectId: row.id, data: { ...change } });
        await notify(tx, { kind: 'request.progress', requestId: row.id }, now); // new approvers get their copy
        const recipients = (plan?.escalateTo ?? []).filter((a) => !leavers.has(a));
        if (short && recipients.length > 0) await notify(tx, { kind: 'request.understaffed', requestId: row.id, recipients }, now);
        reassigned.push(change);
      }
    }

    let reviewItemsReassigned = 0;
    for (const move of handovers) {
      await tx.reviews.items.reassign(move.itemIds, move.to);
      await notifyReviewers(tx, move.campaignId, [move.to, move.from], now); // both reviewers' paged messages change
      await tx.audit.append({ at: now, actor: input.actor, action: 'review.items_reassigned', subjectType: 'review', subjectId: move.campaignId, data: { from: move.from, to: move.to, items: move.itemIds } });
      reviewItemsReassigned += move.itemIds.length;
    }

    const nothingChanged = grants.length === 0 && cancelled.length === 0 && reassigned.length === 0 && reviewItemsReassigned === 0;
    if (nothingChanged && alreadyFrozen) return { grants, cancelled, reassigned, reviewItemsReassigned, alreadyOffboarded: true };

    for (const id of leavers) {
      await tx.audit.append({
        at: now,
        actor: input.actor,
        action: 'principal.offboarded',
        subjectType: 'principal',
        subjectId: id,
        data: { source: input.source, reason: input.reason, grants: grants.map((g) => g.id), cancelled: cancelled.map((r) => r.id), reassigned: reassigned.map((r) => r.requestId) },
      });
    }
    if (policy.securityChannel) {
      const notice: SecurityNotice = {
        type: 'offboarded',
        person: input.label,
        slackUserIds: [...leavers],
        source: input.source,
        grants: grants.map(endedGrant),
        cancelledRequests: cancelled.map((r) => ({ requestId: r.id, resource: r.resource })),
        reassigned,
        reviewItemsReassigned,
      };
      await notify(tx, { kind: 'security.notice', channel: policy.securityChannel, notice }, now);
    }
    return { grants, cancelled, reassigned, reviewItemsReassigned, alreadyOffboarded: false };
  });

  if (result.grants.length > 0) deps.wake('revoke-expired-grants'); // within seconds, not at the next tick
  deps.wake('deliver-notifications');
  return result;
}

/**
 * Review items the leavers still had to decide, in open campaigns, and who takes each: a level up, as at
 * escalation (owners, then admins), never another leaver; null leaves an item unassigned for the owners.
 */
async function reviewHandovers(deps: ServiceDeps, leavers: Set<string>): Promise<Array<{ campaignId: string; from: string; to: string | null; itemIds: number[] }>> {
  const { store, policy, directory } = deps;
  const moves = new Map<string, { campaignId: string; from: string; to: string | null; itemIds: number[] }>();
  const campaigns = new Map<string, Awaited<ReturnType<typeof store.reviews.campaigns.findById>>>();
  const pools = new Map<string, Awaited<ReturnType<typeof reviewerPool>> | null>();
  for (const from of leavers) {
    for (const item of await store.reviews.items.pendingOfReviewer(from, 5_000)) {
      if (!campaigns.has(item.campaignId)) campaigns.set(item.campaignId, await store.reviews.campaigns.findById(item.campaignId));
      const campaign = campaigns.get(item.campaignId);
      if (!campaign) continue;
      const poolKey = `${campaign.id}|${item.resource}`;
      if (!pools.has(poolKey)) {
        const resource = Object.hasOwn(policy.resources, item.resource) ? policy.resources[item.resource]! : null;
        pools.set(poolKey, resource ? await reviewerPool(policy, directory, campaign.reviewer, resource) : null);
      }
      const pool = pools.get(poolKey);
      const lists = pool ? escalationLists(pool, from).map((list) => list.filter((id) => !leavers.has(id))) : [];
      const to = chooseReviewer(`${item.resource}|${item.identity}|handover`, item.holderId, lists);
      const key = `${campaign.id}|${from}|${to}`;
      const move = moves.get(key) ?? { campaignId: campaign.id, from, to, itemIds: [] };
      move.itemIds.push(item.id);
      moves.set(key, move);
    }
  }
  return [...moves.values()];
}

async function hasOffboardingFreeze(tx: Repositories, slackUserId: string, now: Date): Promise<boolean> {
  const freeze = await tx.signals.activeFreeze(slackUserId, now);
  return freeze?.cause === 'offboarding';
}

/**
 * For each resource with a pending request the leavers could approve: who else the policy names as its
 * approvers now (to top the list up), and whom to tell if too few remain (its owners, else the admins).
 */
async function approversByResource(deps: ServiceDeps, leavers: Set<string>): Promise<Map<string, { candidates: string[]; escalateTo: string[] }>> {
  const plans = new Map<string, { candidates: string[]; escalateTo: string[] }>();
  for (const id of leavers) {
    for (const request of await deps.store.requests.lockPendingWithApprover(id)) {
      if (plans.has(request.resource)) continue;
      const resource = deps.policy.resources[request.resource];
      if (!resource) {
        plans.set(request.resource, { candidates: [], escalateTo: [...(await resolvePeople(deps.policy, deps.directory, deps.policy.admins))] });
        continue;
      }
      const candidates = [...(await resolvePeople(deps.policy, deps.directory, resource.approvers))].filter((a) => !leavers.has(a));
      const owners = [...(await resolvePeople(deps.policy, deps.directory, resource.owners))].filter((a) => !leavers.has(a));
      const escalateTo = owners.length > 0 ? owners : [...(await resolvePeople(deps.policy, deps.directory, deps.policy.admins))];
      plans.set(request.resource, { candidates, escalateTo });
    }
  }
  return plans;
}
