import { DomainError } from '../domain/errors.js';
import { isDecided } from '../domain/request-rules.js';
import type { AccessRequest } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';

/** The requester withdraws a pending request; every approver's copy says so. */
export async function cancelRequest(deps: ServiceDeps, input: { requestId: string; actorId: string }): Promise<AccessRequest> {
  const now = deps.clock.now();
  const cancelled = await deps.store.transaction(async (tx) => {
    const request = await tx.requests.lockById(input.requestId);
    if (!request) throw new DomainError('request_not_found', `no request ${input.requestId}`);
    if (request.requesterId !== input.actorId) throw new DomainError('not_requester', `${input.actorId} did not file ${request.id}`);
    if (isDecided(request)) {
      throw new DomainError('already_decided', `request ${request.id} is ${request.status}`, { status: request.status, decidedBy: request.decidedBy, decidedAt: request.decidedAt });
    }
    const row = await tx.requests.decide(request.id, 'cancelled', { decidedAt: now, decidedBy: input.actorId });
    await tx.audit.append({ at: now, actor: input.actorId, action: 'request.cancelled', subjectType: 'request', subjectId: request.id, data: {} });
    await notify(tx, { kind: 'request.cancelled', requestId: request.id }, now);
    return row!;
  });
  deps.wake('deliver-notifications');
  return cancelled;
}
