import { DomainError } from '../domain/errors.js';
import { assertCanVote } from '../domain/request-rules.js';
import type { AccessRequest } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';

/** Whether this person may vote on the request now; used before opening the deny form. */
export async function checkVote(deps: Pick<ServiceDeps, 'store'>, requestId: string, approverId: string): Promise<AccessRequest> {
  const request = await deps.store.requests.findById(requestId);
  if (!request) throw new DomainError('request_not_found', `no request ${requestId}`);
  assertCanVote(request, approverId);
  return request;
}
