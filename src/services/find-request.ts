import { DomainError } from '../domain/errors.js';
import type { AccessRequest } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';

/** Finds a request by its id, the short id shown in messages, or — for one's own — the resource's name. */
export async function findRequest(deps: Pick<ServiceDeps, 'store'>, reference: string, userId: string): Promise<AccessRequest> {
  const ref = reference.trim();
  const own = await deps.store.requests.findPending(userId, ref);
  if (own) return own;
  const matches = await deps.store.requests.findByIdPrefix(ref);
  if (matches.length > 1) throw new DomainError('ambiguous_id', `${ref} matches several requests`, { id: ref });
  if (!matches[0]) throw new DomainError('request_not_found', `no request ${ref}`, { id: ref });
  return matches[0];
}
