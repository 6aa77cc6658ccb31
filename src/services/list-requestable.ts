import { mayRequest } from '../policy/evaluate.js';
import type { Resource } from '../policy/policy.js';
import type { ServiceDeps } from './deps.js';
import { membershipOf } from './resolve-people.js';

/** The resources this person may request, by name. */
export async function listRequestable(deps: Pick<ServiceDeps, 'policy' | 'directory'>, userId: string): Promise<Resource[]> {
  const resources = Object.values(deps.policy.resources);
  const refs = resources.flatMap((r) => r.requesters ?? []);
  const isIn = await membershipOf(deps.policy, deps.directory, userId, refs);
  return resources.filter((r) => mayRequest(r, isIn)).sort((a, b) => a.name.localeCompare(b.name));
}

