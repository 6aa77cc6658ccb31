import type { ServiceDeps } from './deps.js';

/** Break-glass grants no owner confirmed in time are revoked (through the normal revoke path). */
export async function enforceBreakGlassReviews(deps: ServiceDeps, options: { limit?: number } = {}): Promise<number> {
  const now = deps.clock.now();
  const overdue = await deps.store.requests.listUnconfirmedBreakGlass(now, options.limit ?? 50);
  let revoked = 0;
  for (const request of overdue) {
    const ended = await deps.store.transaction(async (tx) => {
      if (!(await tx.requests.lapseConfirmation(request.id))) return false;
      const grant = await tx.grants.findByRequest(request.id);
      const reason = 'break-glass was not confirmed by an owner in time';
      const row = grant ? await tx.grants.endNow(grant.id, reason, now) : null;
      await tx.audit.append({
        at: now,
        actor: 'system',
        action: 'break_glass.unconfirmed',
        subjectType: 'request',
        subjectId: request.id,
        data: { grantId: grant?.id ?? null, revoked: Boolean(row) },
      });
      return Boolean(row);
    });
    if (ended) revoked += 1;
  }
  if (revoked > 0) deps.wake('revoke-expired-grants');
  return revoked;
}
