import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';

/**
 * Tells holders shortly before their access ends (settings.expiry_warning), once per window, so they
 * can extend or release it where the message is. Grants shorter than twice the warning are not warned:
 * the warning would arrive almost as soon as the access.
 */
export async function warnExpiringGrants(deps: ServiceDeps, options: { limit?: number } = {}): Promise<number> {
  const { store, clock, policy } = deps;
  const now = clock.now();
  const warningMs = policy.expiryWarningMs;
  const ending = await store.grants.listEndingSoon(now, new Date(now.getTime() + warningMs), 2 * warningMs, options.limit ?? 50);
  let warned = 0;
  for (const grant of ending) {
    const marked = await store.transaction(async (tx) => {
      if (!(await tx.grants.markWarned(grant.id, now))) return false;
      await notify(tx, { kind: 'grant.expiring', grantId: grant.id }, now);
      return true;
    });
    if (marked) warned += 1;
  }
  if (warned > 0) deps.wake('deliver-notifications');
  return warned;
}
