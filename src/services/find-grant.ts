import { DomainError } from '../domain/errors.js';
import type { Grant } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';

/**
 * Finds a grant the way people name it: its id, the short id shown in messages, or — for their own
 * access — the resource's name.
 */
export async function findGrant(deps: Pick<ServiceDeps, 'store'>, reference: string, userId: string): Promise<Grant> {
  const ref = reference.trim();
  const own = (await deps.store.grants.listByHolder(userId, ['pending', 'active'])).filter((g) => g.resource === ref);
  if (own.length > 0) return own.sort((a, b) => (b.expiresAt?.getTime() ?? 0) - (a.expiresAt?.getTime() ?? 0))[0]!;
  const matches = await deps.store.grants.findByIdPrefix(ref);
  if (matches.length > 1) throw new DomainError('ambiguous_id', `${ref} matches several grants`, { id: ref });
  if (!matches[0]) throw new DomainError('grant_not_found', `no grant ${ref}`, { id: ref });
  return matches[0];
}
