import { DomainError } from '../domain/errors.js';
import type { AccessRequest } from '../domain/types.js';
import { mayAdminister } from './admin-revoke-grant.js';
import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';

/** An owner (never the person who used it) confirms a break-glass grant was justified. */
export async function confirmBreakGlass(deps: ServiceDeps, input: { requestId: string; ownerId: string }): Promise<AccessRequest> {
  const request = await deps.store.requests.findById(input.requestId);
  if (!request || request.kind !== 'break_glass') throw new DomainError('request_not_found', `no break-glass request ${input.requestId}`);
  if (request.requesterId === input.ownerId) throw new DomainError('self_approval', 'break-glass is confirmed by someone else');
  if (!(await mayAdminister(deps, request.resource, input.ownerId))) {
    throw new DomainError('not_authorized', `${input.ownerId} may not confirm break-glass on ${request.resource}`, { resource: request.resource });
  }
  if (request.confirmedAt || !request.confirmBy) {
    throw new DomainError('already_decided', `break-glass ${request.id} was already reviewed`, {
      status: request.confirmedAt ? 'confirmed' : 'revoked for want of confirmation',
      decidedBy: request.confirmedBy,
      decidedAt: request.confirmedAt,
    });
  }
  const now = deps.clock.now();
  const confirmed = await deps.store.transaction(async (tx) => {
    const row = await tx.requests.confirm(request.id, input.ownerId, now);
    if (!row) throw new DomainError('already_decided', `break-glass ${request.id} was already reviewed`, { status: 'confirmed' });
    await tx.audit.append({ at: now, actor: input.ownerId, action: 'break_glass.confirmed', subjectType: 'request', subjectId: request.id, data: {} });
    await notify(tx, { kind: 'break_glass.confirmed', requestId: request.id }, now);
    return row;
  });
  deps.wake('deliver-notifications');
  return confirmed;
}
