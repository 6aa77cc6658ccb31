import { extendedExpiry } from '../domain/grant-window.js';
import type { AccessRequest } from '../domain/types.js';
import type { Policy } from '../policy/policy.js';
import type { Repositories } from '../store/store.js';
import { createGrantFor } from './create-grant.js';
import { notify } from './notifications.js';

/**
 * What approval does, by request kind, inside the deciding transaction: a new grant for `access` and
 * `break_glass`; more time on the grant for `extension` (only while it is still active).
 */
export async function applyApproval(tx: Repositories, policy: Policy, request: AccessRequest, now: Date): Promise<void> {
  const resource = policy.resources[request.resource];
  if (request.kind !== 'extension') {
    if (!resource) throw new Error(`resource ${request.resource} is no longer in the policy`);
    await createGrantFor(tx, request, resource.providerName, resource.grant, now);
    return;
  }
  const grant = request.grantId ? await tx.grants.findById(request.grantId) : null;
  if (!grant || grant.status !== 'active' || !resource) {
    // The access ended while the extension waited; nothing is left to extend.
    await tx.audit.append({ at: now, actor: 'system', action: 'grant.extension_lapsed', subjectType: 'request', subjectId: request.id, data: { grantId: request.grantId } });
    return;
  }
  const expiresAt = extendedExpiry(grant, request.durationMs, resource.duration.maxTotalMs);
  const extended = await tx.grants.extend(grant.id, grant.expiresAt!, expiresAt);
  if (!extended) return;
  await tx.audit.append({
    at: now,
    actor: request.decidedBy ?? `policy:${request.autoApprovedBy}`,
    action: 'grant.extended',
    subjectType: 'grant',
    subjectId: grant.id,
    data: { requestId: request.id, from: grant.expiresAt!.toISOString(), to: expiresAt.toISOString() },
  });
  await notify(tx, { kind: 'grant.extended', grantId: grant.id, requestId: request.id }, now);
}
