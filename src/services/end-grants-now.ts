import { canTransitionGrant } from '../domain/grant-rules.js';
import type { Grant } from '../domain/types.js';
import type { Repositories } from '../store/store.js';

export interface EndGrantsNowInput {
  actor: string;
  /** Recorded on each grant as its end reason and shown to the holder. */
  reason: string;
  /** The audit action, e.g. `grant.revoked_by_offboarding`. */
  action: string;
  now: Date;
}

/**
 * Inside the caller's transaction: moves each active or not-yet-active grant to `revoking`, due now. The
 * revoke job then removes the access at the provider and writes `revoked` only when the provider confirms
 * (invariant 5), retrying with backoff until it does. Grants already ending are left as they are.
 */
export async function endGrantsNow(tx: Repositories, grants: readonly Grant[], input: EndGrantsNowInput): Promise<Grant[]> {
  const ended: Grant[] = [];
  for (const grant of grants) {
    if (!canTransitionGrant(grant.status, 'revoking')) continue;
    const row = await tx.grants.transition(grant.id, grant.status, 'revoking', { endReason: input.reason, nextAttemptAt: input.now });
    if (!row) continue; // changed meanwhile (activated, expired or failed): the caller's next look sees it
    await tx.audit.append({
      at: input.now,
      actor: input.actor,
      action: input.action,
      subjectType: 'grant',
      subjectId: grant.id,
      data: { reason: input.reason, resource: grant.resource, holder: grant.holderId, identity: grant.identity, wasStatus: grant.status },
    });
    ended.push(row);
  }
  return ended;
}
