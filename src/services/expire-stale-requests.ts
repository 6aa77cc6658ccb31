import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';

/** Pending requests nobody decided in time become `expired`; requester and approvers are told. */
export async function expireStaleRequests(deps: ServiceDeps, options: { limit?: number } = {}): Promise<number> {
  const now = deps.clock.now();
  const expired = await deps.store.transaction(async (tx) => {
    const overdue = await tx.requests.claimOverdue(now, options.limit ?? 50);
    let count = 0;
    for (const request of overdue) {
      if (!(await tx.requests.decide(request.id, 'expired', { decidedAt: now, decidedBy: null }))) continue;
      await tx.audit.append({
        at: now,
        actor: 'system',
        action: 'request.expired',
        subjectType: 'request',
        subjectId: request.id,
        data: { waitedMs: now.getTime() - request.createdAt.getTime() },
      });
      await notify(tx, { kind: 'request.expired', requestId: request.id }, now);
      count += 1;
    }
    return count;
  });
  if (expired > 0) deps.wake('deliver-notifications');
  return expired;
}
