import { DomainError } from '../domain/errors.js';
import { eligibleApprovers } from '../domain/request-rules.js';
import type { AccessRequest, Principal } from '../domain/types.js';
import { findResource, matchAutoApproval, mayRequest, referencedPeople, resolveDuration } from '../policy/evaluate.js';
import { mapIdentity } from '../providers/identity.js';
import type { ServiceDeps } from './deps.js';
import { createGrantFor } from './create-grant.js';
import { notify } from './notifications.js';
import { membershipOf, resolvePeople } from './resolve-people.js';

const MAX_REASON_LENGTH = 2_000;

export interface SubmitRequestInput {
  /** From the verified Slack payload (invariant 1), never from form fields. */
  requester: Principal;
  resourceName: string;
  /** As typed (`2h`); the resource's default when empty. */
  duration: string | undefined;
  reason: string;
}

export interface SubmitRequestResult {
  request: AccessRequest;
  /** Set when an auto-approval rule decided the request at once. */
  autoApprovedBy: string | null;
}

/** Checks a request against the policy and files it; nothing is written when a check fails. */
export async function submitRequest(deps: ServiceDeps, input: SubmitRequestInput): Promise<SubmitRequestResult> {
  const { policy, directory, store, clock } = deps;
  const resource = findResource(policy, input.resourceName.trim());
  const reason = input.reason.trim();
  if (reason === '') throw new DomainError('reason_required', 'a request must say why access is needed');
  if (reason.length > MAX_REASON_LENGTH) {
    throw new DomainError('reason_required', `the reason is longer than ${MAX_REASON_LENGTH} characters`, {
      maxLength: MAX_REASON_LENGTH,
    });
  }
  const durationMs = resolveDuration(resource, input.duration);
  const requesterId = input.requester.slackUserId;

  const isIn = await membershipOf(policy, directory, requesterId, referencedPeople(resource));
  if (!mayRequest(resource, isIn)) {
    throw new DomainError('not_allowed_to_request', `${requesterId} may not request ${resource.name}`, {
      resource: resource.name,
    });
  }

  const provider = policy.providers[resource.providerName]!;
  const identity = mapIdentity(input.requester, provider.identity);
  if (!identity) {
    throw new DomainError('unmapped_identity', `no ${provider.name} identity for ${requesterId}`, {
      provider: provider.name,
      rule: provider.identity?.from ?? 'email_local_part',
    });
  }

  const autoRule = matchAutoApproval(resource, durationMs, isIn, clock.now())?.name ?? null;
  const approverIds = eligibleApprovers(requesterId, await resolvePeople(policy, directory, resource.approvers));
  if (!autoRule && approverIds.length < resource.approvals) {
    throw new DomainError('no_approvers', `${resource.name} needs ${resource.approvals} approver(s) besides the requester`, {
      resource: resource.name,
      found: approverIds.length,
    });
  }

  const now = clock.now();
  const result = await store.transaction(async (tx) => {
    await tx.requests.lockPendingSlot(requesterId, resource.name);
    if (await tx.requests.findPending(requesterId, resource.name)) {
      throw new DomainError('duplicate_request', `${requesterId} already has a pending request for ${resource.name}`, {
        resource: resource.name,
      });
    }
    const filed = await tx.requests.insert({
      resource: resource.name,
      requesterId,
      requesterEmail: input.requester.email,
      requesterName: input.requester.displayName,
      identity,
      durationMs,
      reason,
      status: 'pending',
      requiredApprovals: resource.approvals,
      approverIds,
      createdAt: now,
      expiresAt: new Date(now.getTime() + resource.requestTtlMs),
    });
    await tx.audit.append({
      at: now,
      actor: requesterId,
      action: 'request.submitted',
      subjectType: 'request',
      subjectId: filed.id,
      data: { resource: resource.name, durationMs, reason, identity, approverIds },
    });
    if (!autoRule) {
      await notify(tx, { kind: 'request.submitted', requestId: filed.id }, now);
      return filed;
    }
    const approved = await tx.requests.decide(filed.id, 'approved', {
      decidedAt: now,
      decidedBy: null,
      autoApprovedBy: autoRule,
    });
    await createGrantFor(tx, approved!, resource.providerName, resource.grant, now);
    await tx.audit.append({
      at: now,
      actor: `policy:${autoRule}`,
      action: 'request.approved',
      subjectType: 'request',
      subjectId: filed.id,
      data: { rule: autoRule },
    });
    await notify(tx, { kind: 'request.decided', requestId: filed.id }, now);
    return approved!;
  });

  deps.wake(autoRule ? 'activate-grants' : 'deliver-notifications');
  if (!autoRule) return { request: result, autoApprovedBy: null };
  deps.wake('deliver-notifications');
  return { request: result, autoApprovedBy: autoRule };
}
