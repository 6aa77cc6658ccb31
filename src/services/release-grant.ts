import { DomainError } from '../domain/errors.js';
import { assertActive } from '../domain/grant-window.js';
import type { Grant } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';
import { findGrant } from './find-grant.js';

/** The holder ends their own access now. The revoke job removes it at the provider (invariant 5). */
export async function releaseGrant(deps: ServiceDeps, input: { grant: string; holderId: string }): Promise<Grant> {
  const grant = await findGrant(deps, input.grant, input.holderId);
  if (grant.holderId !== input.holderId) throw new DomainError('not_holder', `${input.holderId} does not hold grant ${grant.id}`);
  return endGrant(deps, grant, input.holderId, 'released early by the holder', 'grant.released');
}

/** Moves an active grant to `revoking` with the reason recorded, audited in the same transaction. */
export async function endGrant(deps: ServiceDeps, grant: Grant, actor: string, reason: string, action: string): Promise<Grant> {
  assertActive(grant);
  const now = deps.clock.now();
  const ended = await deps.store.transaction(async (tx) => {
    const row = await tx.grants.endNow(grant.id, reason, now);
    if (!row) throw new DomainError('grant_not_active', `grant ${grant.id} is no longer active`, { status: 'ended' });
    await tx.audit.append({ at: now, actor, action, subjectType: 'grant', subjectId: grant.id, data: { reason } });
    return row;
  });
  deps.wake('revoke-expired-grants');
  return ended;
}
