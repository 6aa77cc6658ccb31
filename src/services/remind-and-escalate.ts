import { eligibleApprovers } from '../domain/request-rules.js';
import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';
import { resolvePeople } from './resolve-people.js';

/**
 * Pending requests that waited past `remind_after` remind their approvers once; past `escalate_after`
 * the `escalate_to` people are added as approvers and asked too. Claimed with SKIP LOCKED (invariant 7).
 */
export async function remindAndEscalate(deps: ServiceDeps, options: { limit?: number } = {}): Promise<number> {
  const { policy, clock, store } = deps;
  const now = clock.now();
  const limit = options.limit ?? 50;
  let changed = 0;
  for (const resource of Object.values(policy.resources)) {
    if (resource.remindAfterMs !== null) {
      changed += await store.transaction(async (tx) => {
        const waiting = await tx.requests.listWaiting('remindedAt', [resource.name], new Date(now.getTime() - resource.remindAfterMs!), limit);
        for (const request of waiting) {
          if (!(await tx.requests.stamp(request.id, 'remindedAt', now))) continue;
          await tx.audit.append({ at: now, actor: 'system', action: 'request.reminded', subjectType: 'request', subjectId: request.id, data: {} });
          await notify(tx, { kind: 'request.reminder', requestId: request.id }, now);
        }
        return waiting.length;
      });
    }
    if (resource.escalation) {
      const escalateTo = await resolvePeople(policy, deps.directory, resource.escalation.to);
      changed += await store.transaction(async (tx) => {
        const waiting = await tx.requests.listWaiting('escalatedAt', [resource.name], new Date(now.getTime() - resource.escalation!.afterMs), limit);
        for (const request of waiting) {
          const approverIds = eligibleApprovers(request.requesterId, [...request.approverIds, ...escalateTo]);
          if (!(await tx.requests.stamp(request.id, 'escalatedAt', now, approverIds))) continue;
          const added = approverIds.filter((id) => !request.approverIds.includes(id));
          await tx.audit.append({ at: now, actor: 'system', action: 'request.escalated', subjectType: 'request', subjectId: request.id, data: { added } });
          await notify(tx, { kind: 'request.escalated', requestId: request.id }, now);
        }
        return waiting.length;
      });
    }
  }
  if (changed > 0) deps.wake('deliver-notifications');
  return changed;
}
