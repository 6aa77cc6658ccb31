import { DomainError } from '../domain/errors.js';
import type { Grant } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';
import { findGrant } from './find-grant.js';
import { checkReason } from './file-request.js';
import { endGrant } from './release-grant.js';
import { resolvePeople } from './resolve-people.js';

/** An owner of the resource, or a Keycard admin, ends someone's access now, saying why. */
export async function adminRevokeGrant(deps: ServiceDeps, input: { grant: string; actorId: string; reason: string }): Promise<Grant> {
  const reason = checkReason(input.reason);
  const grant = await findGrant(deps, input.grant, input.actorId);
  if (!(await mayAdminister(deps, grant.resource, input.actorId))) {
    throw new DomainError('not_authorized', `${input.actorId} may not revoke grants on ${grant.resource}`, { resource: grant.resource });
  }
  return endGrant(deps, grant, input.actorId, `revoked by <@${input.actorId}>: ${reason}`, 'grant.revoked_by_admin');
}

/** Keycard admins, and the owners of the resource. */
export async function mayAdminister(deps: Pick<ServiceDeps, 'policy' | 'directory'>, resourceName: string, userId: string): Promise<boolean> {
  const owners = deps.policy.resources[resourceName]?.owners ?? [];
  const allowed = await resolvePeople(deps.policy, deps.directory, [...deps.policy.admins, ...owners]);
  return allowed.has(userId);
}
