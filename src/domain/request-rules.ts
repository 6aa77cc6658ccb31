import { DomainError } from './errors.js';
import type { AccessRequest, RequestStatus, SlackUserId } from './types.js';

const TERMINAL: ReadonlySet<RequestStatus> = new Set(['approved', 'denied', 'cancelled', 'expired']);

/** pending → approved | denied | cancelled | expired; nothing leaves a terminal state. */
export function canTransitionRequest(from: RequestStatus, to: RequestStatus): boolean {
  return from === 'pending' && TERMINAL.has(to);
}

export function isDecided(request: Pick<AccessRequest, 'status'>): boolean {
  return TERMINAL.has(request.status);
}

export function isApprover(request: Pick<AccessRequest, 'approverIds'>, userId: SlackUserId): boolean {
  return request.approverIds.includes(userId);
}

export function isRequester(request: Pick<AccessRequest, 'requesterId'>, userId: SlackUserId): boolean {
  return request.requesterId === userId;
}

/** Past its deadline a pending request is over, even before the expiry job has marked it `expired`. */
export function isOverdue(request: Pick<AccessRequest, 'status' | 'expiresAt'>, now: Date): boolean {
  return request.status === 'pending' && request.expiresAt.getTime() <= now.getTime();
}

/**
 * The checks an approver's vote must pass, in the order a person would want to hear them:
 * a decided (or, given `now`, overdue) request is reported first (with who decided), then
 * self-approval (invariant 3), then authority.
 */
export function assertCanVote(request: AccessRequest, approverId: SlackUserId, now?: Date): void {
  if (isDecided(request)) {
    throw new DomainError('already_decided', `request ${request.id} is already ${request.status}`, {
      status: request.status,
      decidedBy: request.decidedBy,
      decidedAt: request.decidedAt,
    });
  }
  if (now && isOverdue(request, now)) {
    throw new DomainError('already_decided', `request ${request.id} expired undecided`, {
      status: 'expired',
      decidedBy: null,
      decidedAt: request.expiresAt,
    });
  }
  if (isRequester(request, approverId)) {
    throw new DomainError('self_approval', 'a requester can never approve their own request', {
      requestId: request.id,
    });
  }
  if (!isApprover(request, approverId)) {
    throw new DomainError('not_an_approver', `${approverId} is not an approver of request ${request.id}`, {
      requestId: request.id,
    });
  }
}

/** Approvers who count: the requester never does, even when the policy lists them. */
export function eligibleApprovers(requesterId: SlackUserId, candidates: Iterable<SlackUserId>): SlackUserId[] {
  return [...new Set(candidates)].filter((id) => id !== requesterId);
}

export interface Tally {
  approvals: SlackUserId[];
  decided: 'approved' | 'denied' | null;
}

/** One deny decides; `required` distinct approvals decide the other way. */
export function tallyVotes(
  votes: ReadonlyArray<{ approverId: SlackUserId; vote: 'approve' | 'deny' }>,
  required: number,
): Tally {
  if (votes.some((v) => v.vote === 'deny')) {
    return { approvals: [], decided: 'denied' };
  }
  const approvals = [...new Set(votes.filter((v) => v.vote === 'approve').map((v) => v.approverId))];
  return { approvals, decided: approvals.length >= required ? 'approved' : null };
}
