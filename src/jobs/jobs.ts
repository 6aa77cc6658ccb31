import { activateDueGrants } from '../services/activate-grants.js';
import { deliverNotifications, type NotificationSink } from '../services/deliver-notifications.js';
import type { ServiceDeps } from '../services/deps.js';
import { enforceBreakGlassReviews } from '../services/enforce-break-glass-reviews.js';
import { expireStaleRequests } from '../services/expire-stale-requests.js';
import { remindAndEscalate } from '../services/remind-and-escalate.js';
import { warnExpiringGrants } from '../services/warn-expiring-grants.js';
import { revokeExpiredGrants } from '../services/revoke-expired-grants.js';
import type { Job } from './job.js';
import { reviewJobs } from './review-jobs.js';

/** Keycard's scheduled work. Expiry is checked every 5 seconds (the ceiling). */
export function keycardJobs(deps: ServiceDeps, sink: NotificationSink): Job[] {
  return [
    { name: 'activate-grants', schedule: '*/5 * * * * *', run: () => activateDueGrants(deps) },
    { name: 'revoke-expired-grants', schedule: '*/5 * * * * *', run: () => revokeExpiredGrants(deps) },
    { name: 'expire-stale-requests', schedule: '*/15 * * * * *', run: () => expireStaleRequests(deps) },
    { name: 'deliver-notifications', schedule: '*/2 * * * * *', run: () => deliverNotifications(deps, sink) },
    ...reviewJobs(deps),
    { name: 'remind-and-escalate', schedule: '*/30 * * * * *', run: () => remindAndEscalate(deps) },
    { name: 'enforce-break-glass-reviews', schedule: '*/30 * * * * *', run: () => enforceBreakGlassReviews(deps) },
    { name: 'warn-expiring-grants', schedule: '*/30 * * * * *', run: () => warnExpiringGrants(deps) },
  ];
}
