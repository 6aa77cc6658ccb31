import { DomainError } from '../domain/errors.js';
import { formatDurationShort, parseDuration } from '../domain/duration.js';
import type { Principal } from '../domain/types.js';
import { findResource } from '../policy/evaluate.js';
import type { ServiceDeps } from './deps.js';
import { checkReason, checkRequester, fileRequest, type FiledRequest } from './file-request.js';

/**
 * An emergency self-grant: only where the policy allows it, with a mandatory reason and a short
 * maximum. It is announced at once, the owners are asked to confirm it, and unconfirmed it is revoked.
 */
export async function breakGlass(
  deps: ServiceDeps,
  input: { requester: Principal; resourceName: string; duration: string | undefined; reason: string },
): Promise<FiledRequest> {
  const resource = findResource(deps.policy, input.resourceName.trim());
  if (!resource.breakGlass) throw new DomainError('break_glass_not_allowed', `${resource.name} has no break-glass path`, { resource: resource.name });
  const reason = checkReason(input.reason);
  const durationMs = input.duration?.trim() ? parseDuration(input.duration) : resource.breakGlass.maxMs;
  if (durationMs > resource.breakGlass.maxMs) {
    throw new DomainError('duration_too_long', `break-glass on ${resource.name} is limited to ${formatDurationShort(resource.breakGlass.maxMs)}`, {
      requestedMs: durationMs,
      maxMs: resource.breakGlass.maxMs,
    });
  }
  const { identity, isIn } = await checkRequester(deps, resource, input.requester);
  return fileRequest(deps, { resource, requester: input.requester, identity, isIn, durationMs, reason, kind: 'break_glass' });
}
