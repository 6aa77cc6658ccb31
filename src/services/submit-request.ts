import type { Principal } from '../domain/types.js';
import { findResource, resolveDuration } from '../policy/evaluate.js';
import type { ServiceDeps } from './deps.js';
import { checkReason, checkRequester, fileRequest, type FiledRequest } from './file-request.js';

export interface SubmitRequestInput {
  /** From the verified Slack payload (invariant 1), never from form fields. */
  requester: Principal;
  resourceName: string;
  /** As typed (`2h`); the resource's default when empty. */
  duration: string | undefined;
  reason: string;
}

/** Checks a request for access against the policy and files it; nothing is written when a check fails. */
export async function submitRequest(deps: ServiceDeps, input: SubmitRequestInput): Promise<FiledRequest> {
  const resource = findResource(deps.policy, input.resourceName.trim());
  const reason = checkReason(input.reason);
  const durationMs = resolveDuration(resource, input.duration);
  const { identity, isIn } = await checkRequester(deps, resource, input.requester);
  return fileRequest(deps, { resource, requester: input.requester, identity, isIn, durationMs, reason, kind: 'access' });
}
