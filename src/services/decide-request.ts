import { DomainError, isDomainError } from '../domain/errors.js';
import { assertCanVote, tallyVotes } from '../domain/request-rules.js';
import type { AccessRequest, Vote } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';
import { applyApproval } from './apply-approval.js';
import { notify } from './notifications.js';

export interface DecideRequestInput {
  requestId: string;
  /** From the verified Slack payload (invariant 1). */
  approverId: string;
  vote: Vote;
  reason?: string | null;
}

export interface DecideRequestResult {
  request: AccessRequest;
  /** `recorded`: the vote counted but more approvals are needed. */
  outcome: 'approved' | 'denied' | 'recorded';
  approvals: string[];
}

/**
 * Records one approver's vote. The request row is locked for the transaction and leaves `pending` by
 * compare-and-set, so concurrent clicks produce exactly one decision (invariant 2).
 */
export async function decideRequest(deps: ServiceDeps, input: DecideRequestInput): Promise<DecideRequestResult> {
  const { store, clock, policy } = deps;
  const now = clock.now();
  const reason = input.reason?.trim() || null;
  try {
    const result = await store.transaction(async (tx) => {
      const request = await tx.requests.lockById(input.requestId);
      if (!request) throw new DomainError('request_not_found', `no request ${input.requestId}`);
      assertCanVote(request, input.approverId, now);
      if (!(await tx.requests.recordVote({ requestId: request.id, approverId: input.approverId, vote: input.vote, reason, createdAt: now }))) {
        throw new DomainError('already_voted', `${input.approverId} already voted on ${request.id}`);
      }
      const tally = tallyVotes(await tx.requests.votes(request.id), request.requiredApprovals);
      if (!tally.decided) {
        await tx.audit.append({
          at: now,
          actor: input.approverId,
          action: 'request.vote_recorded',
          subjectType: 'request',
          subjectId: request.id,
          data: { vote: input.vote, approvals: tally.approvals, required: request.requiredApprovals },
        });
        await notify(tx, { kind: 'request.progress', requestId: request.id }, now);
        return { request, outcome: 'recorded' as const, approvals: tally.approvals };
      }
      const decided = await tx.requests.decide(request.id, tally.decided, {
        decidedAt: now,
        decidedBy: input.approverId,
        decisionReason: reason,
      });
      if (!decided) throw new DomainError('already_decided', `request ${request.id} was decided meanwhile`);
      await tx.audit.append({
        at: now,
        actor: input.approverId,
        action: `request.${tally.decided}`,
        subjectType: 'request',
        subjectId: request.id,
        data: { approvals: tally.approvals, reason },
      });
      if (tally.decided === 'approved') await applyApproval(tx, policy, decided, now);
      await notify(tx, { kind: 'request.decided', requestId: request.id }, now);
      return { request: decided, outcome: tally.decided, approvals: tally.approvals };
    });
    if (result.outcome !== 'recorded') deps.metrics?.requestDecided(result.outcome, now.getTime() - result.request.createdAt.getTime());
    if (result.outcome === 'approved') deps.wake('activate-grants');
    deps.wake('deliver-notifications');
    return result;
  } catch (error) {
    if (isDomainError(error)) await auditRefusal(deps, input, error, now);
    throw error;
  }
}

/** Refused attempts are audited too, in their own transaction since the vote's was rolled back. */
async function auditRefusal(deps: ServiceDeps, input: DecideRequestInput, error: DomainError, now: Date): Promise<void> {
  await deps.store.transaction((tx) =>
    tx.audit.append({
      at: now,
      actor: input.approverId,
      action: 'request.vote_refused',
      subjectType: 'request',
      subjectId: input.requestId,
      data: { vote: input.vote, code: error.code },
    }),
  );
}
