import type { AccessRequest, Grant } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';

export interface MyAccess {
  pending: AccessRequest[];
  grants: Grant[];
}

/** A person's pending requests and their grants that are active or on the way. */
export async function listMyAccess(deps: Pick<ServiceDeps, 'store'>, userId: string): Promise<MyAccess> {
  const [pending, grants] = await Promise.all([
    deps.store.requests.listByRequester(userId, ['pending']),
    deps.store.grants.listByHolder(userId, ['pending', 'active', 'revoking']),
  ]);
  return { pending, grants };
}
