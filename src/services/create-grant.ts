import { entitlementKey } from '../domain/grant-rules.js';
import type { AccessRequest } from '../domain/types.js';
import type { Repositories } from '../store/store.js';

/** An approved request's grant, pending until the provider confirms it. */
export async function createGrantFor(
  tx: Repositories,
  request: AccessRequest,
  providerName: string,
  spec: Record<string, unknown>,
  now: Date,
): Promise<void> {
  const grant = await tx.grants.insert({
    requestId: request.id,
    resource: request.resource,
    providerName,
    holderId: request.requesterId,
    identity: request.identity,
    spec,
    entitlementKey: entitlementKey(providerName, request.identity, spec),
    durationMs: request.durationMs,
    createdAt: now,
  });
  await tx.audit.append({
    at: now,
    actor: 'system',
    action: 'grant.created',
    subjectType: 'grant',
    subjectId: grant.id,
    data: { requestId: request.id, provider: providerName, identity: request.identity, spec },
  });
}
