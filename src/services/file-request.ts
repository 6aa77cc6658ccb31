import { DomainError } from '../domain/errors.js';
import { eligibleApprovers } from '../domain/request-rules.js';
import type { AccessRequest, Principal, RequestKind } from '../domain/types.js';
import { matchAutoApproval, mayRequest, referencedPeople, type Membership } from '../policy/evaluate.js';
import type { Resource } from '../policy/policy.js';
import { mapIdentity } from '../providers/identity.js';
import { applyApproval } from './apply-approval.js';
import { assertNotFrozen } from './assert-not-frozen.js';
import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';
import { membershipOf, resolvePeople } from './resolve-people.js';

const MAX_REASON_LENGTH = 2_000;

export function checkReason(text: string): string {
  const reason = text.trim();
  if (reason === '') throw new DomainError('reason_required', 'a request must say why access is needed');
  if (reason.length > MAX_REASON_LENGTH) {
    throw new DomainError('reason_too_long', `the reason is longer than ${MAX_REASON_LENGTH} characters`, { maxLength: MAX_REASON_LENGTH });
  }
  return reason;
}

/** The policy checks every request passes: may this person ask, and who are they on the provider. */
export async function checkRequester(
  deps: Pick<ServiceDeps, 'policy' | 'directory'>,
  resource: Resource,
  requester: Principal,
): Promise<{ identity: string; isIn: Membership }> {
  const isIn = await membershipOf(deps.policy, deps.directory, requester.slackUserId, referencedPeople(resource));
  if (!mayRequest(resource, isIn)) {
    throw new DomainError('not_allowed_to_request', `${requester.slackUserId} may not request ${resource.name}`, { resource: resource.name });
  }
  const provider = deps.policy.providers[resource.providerName]!;
  const identity = mapIdentity(requester, provider.identity);
  if (!identity) {
    throw new DomainError('unmapped_identity', `no ${provider.name} identity for ${requester.slackUserId}`, {
      provider: provider.name,
      rule: provider.identity?.from ?? 'email_local_part',
    });
  }
  return { identity, isIn };
}

export interface FileRequestInput {
  resource: Resource;
  requester: Principal;
  identity: string;
  isIn: Membership;
  durationMs: number;
  reason: string;
  kind: RequestKind;
  grantId?: string;
}

export interface FiledRequest {
  request: AccessRequest;
  autoApprovedBy: string | null;
}

/**
 * Files a checked request: decided at once by an auto-approval rule (or by break-glass), otherwise
 * pending for its approvers. One pending request per person and resource.
 */
export async function fileRequest(deps: ServiceDeps, input: FileRequestInput): Promise<FiledRequest> {
  const { policy, directory, store, clock } = deps;
  const { resource, requester } = input;
  const requesterId = requester.slackUserId;
  await assertNotFrozen(deps, requesterId); // a security signal or offboarding stops every kind of request
  const now = clock.now();
  const breakGlass = input.kind === 'break_glass';
  const autoRule = breakGlass ? 'break-glass' : (matchAutoApproval(resource, input.durationMs, input.isIn, now)?.name ?? null);
  const approverIds = eligibleApprovers(requesterId, await resolvePeople(policy, directory, resource.approvers));
  if (!autoRule && approverIds.length < resource.approvals) {
    throw new DomainError('no_approvers', `${resource.name} needs ${resource.approvals} approver(s) besides the requester`, {
      resource: resource.name,
      found: approverIds.length,
    });
  }

  const request = await store.transaction(async (tx) => {
    await tx.requests.lockPendingSlot(requesterId, resource.name);
    if (await tx.requests.findPending(requesterId, resource.name)) {
      throw new DomainError('duplicate_request', `${requesterId} already has a pending request for ${resource.name}`, { resource: resource.name });
    }
    const filed = await tx.requests.insert({
      resource: resource.name,
      requesterId,
      requesterEmail: requester.email,
      requesterName: requester.displayName,
      identity: input.identity,
      durationMs: input.durationMs,
      reason: input.reason,
      status: 'pending',
      requiredApprovals: resource.approvals,
      approverIds,
      createdAt: now,
      expiresAt: new Date(now.getTime() + resource.requestTtlMs),
      kind: input.kind,
      grantId: input.grantId ?? null,
      confirmBy: breakGlass && resource.breakGlass ? new Date(now.getTime() + resource.breakGlass.confirmWithinMs) : null,
    });
    await tx.audit.append({
      at: now,
      actor: requesterId,
      action: breakGlass ? 'request.break_glass' : input.kind === 'extension' ? 'request.extension_submitted' : 'request.submitted',
      subjectType: 'request',
      subjectId: filed.id,
      data: { resource: resource.name, durationMs: input.durationMs, reason: input.reason, identity: input.identity, approverIds, grantId: input.grantId ?? null },
    });
    if (!autoRule) {
      await notify(tx, { kind: 'request.submitted', requestId: filed.id }, now);
      return filed;
    }
    const approved = await tx.requests.decide(filed.id, 'approved', { decidedAt: now, decidedBy: breakGlass ? requesterId : null, autoApprovedBy: autoRule });
    await tx.audit.append({ at: now, actor: breakGlass ? requesterId : `policy:${autoRule}`, action: 'request.approved', subjectType: 'request', subjectId: filed.id, data: { rule: autoRule } });
    await applyApproval(tx, policy, approved!, now);
    await notify(tx, breakGlass ? { kind: 'break_glass.invoked', requestId: filed.id } : { kind: 'request.decided', requestId: filed.id }, now);
    return approved!;
  });

  if (autoRule) deps.wake('activate-grants');
  deps.wake('deliver-notifications');
  return { request, autoApprovedBy: autoRule };
}
