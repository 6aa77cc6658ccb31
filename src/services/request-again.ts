import { DomainError } from '../domain/errors.js';
import type { AccessRequest } from '../domain/types.js';
import type { Resource } from '../policy/policy.js';
import type { ServiceDeps } from './deps.js';
import { listRequestable } from './list-requestable.js';

/** What the request form needs to ask again as an earlier request did: only the requester may. */
export async function requestAgain(
  deps: Pick<ServiceDeps, 'store' | 'policy' | 'directory'>,
  input: { requestId: string; userId: string },
): Promise<{ earlier: AccessRequest; requestable: Resource[] }> {
  const earlier = await deps.store.requests.findById(input.requestId);
  if (!earlier) throw new DomainError('request_not_found', `no request ${input.requestId}`);
  if (earlier.requesterId !== input.userId) throw new DomainError('not_requester', `${input.userId} did not file ${earlier.id}`);
  return { earlier, requestable: await listRequestable(deps, input.userId) };
}
