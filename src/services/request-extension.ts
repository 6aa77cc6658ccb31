import { DomainError } from '../domain/errors.js';
import { assertActive, extendedExpiry } from '../domain/grant-window.js';
import type { Principal } from '../domain/types.js';
import { findResource, resolveDuration } from '../policy/evaluate.js';
import type { ServiceDeps } from './deps.js';
import { checkReason, checkRequester, fileRequest, type FiledRequest } from './file-request.js';
import { findGrant } from './find-grant.js';

export interface RequestExtensionInput {
  /** From the verified Slack payload: only the holder may extend. */
  requester: Principal;
  /** A grant id, a short id, or the name of a resource the requester holds. */
  grant: string;
  duration: string | undefined;
  /** Defaults to the original request's reason. */
  reason?: string;
}

/**
 * More time on an active grant. It goes through the same policy as a new request (auto-approval or
 * approvers) and never past the resource's longest total time.
 */
export async function requestExtension(deps: ServiceDeps, input: RequestExtensionInput): Promise<FiledRequest> {
  const grant = await findGrant(deps, input.grant, input.requester.slackUserId);
  if (grant.holderId !== input.requester.slackUserId) throw new DomainError('not_holder', `${input.requester.slackUserId} does not hold grant ${grant.id}`);
  assertActive(grant);
  const resource = findResource(deps.policy, grant.resource);
  const durationMs = resolveDuration(resource, input.duration);
  extendedExpiry(grant, durationMs, resource.duration.maxTotalMs); // refuse early, before anyone is asked
  const original = await deps.store.requests.findById(grant.requestId);
  const reason = checkReason(input.reason?.trim() ? input.reason : `Extension: ${original?.reason ?? 'more time needed'}`);
  const { isIn } = await checkRequester(deps, resource, input.requester);
  return fileRequest(deps, { resource, requester: input.requester, identity: grant.identity, isIn, durationMs, reason, kind: 'extension', grantId: grant.id });
}
