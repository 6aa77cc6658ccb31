import type { App } from '@slack/bolt';
import type { ServiceDeps } from '../../services/deps.js';
import { offboardPrincipal } from '../../services/offboard-principal.js';
import { reevaluateGrants } from '../../services/reevaluate-grants.js';
import { reinstatePrincipal } from '../../services/reinstate-principal.js';

const RETRY_DELAYS_MS = [1_000, 5_000, 15_000];

/**
 * Slack's word on people: `user_change` with `user.deleted: true` is a deactivation (Slack sends no other
 * event for it), and `subteam_members_changed` names who left a user group. Only `user.id` and
 * `user.deleted` are read: a deactivated user's payload is sparse.
 */
export function registerLifecycleEvents(app: App, deps: ServiceDeps): void {
  app.event('user_change', async ({ event }) => {
    const user = event.user as { id?: string; deleted?: boolean } | undefined;
    if (!user?.id) return;
    const id = user.id;
    if (user.deleted === true) {
      await persist(deps, `offboarding ${id}`, () =>
        offboardPrincipal(deps, { slackUserIds: [id], label: `<@${id}>`, source: 'slack', actor: 'slack:user_change', reason: 'deactivated in Slack' }),
      );
    } else if (user.deleted === false) {
      await persist(deps, `reinstating ${id}`, () => reinstatePrincipal(deps, { slackUserIds: [id], actor: 'slack:user_change', source: 'slack' }));
    }
  });

  app.event('subteam_members_changed', async ({ event }) => {
    const removed = (event as { removed_users?: string[] }).removed_users ?? [];
    const usergroup = event.subteam_id;
    // Otherwise a mover could re-request on the cached list within its minute and keep the access.
    deps.directory.forgetUsergroup?.(usergroup);
    for (const id of removed) {
      await persist(deps, `re-evaluating ${id}`, () =>
        reevaluateGrants(deps, { slackUserId: id, leftUsergroups: [usergroup], actor: 'slack:subteam_members_changed', change: `left Slack user group ${usergroup}` }),
      );
    }
  });
}

/**
 * Events are acknowledged before they are handled, so Slack will not send one again if handling fails:
 * retry here a few times (the services are safe to run twice), then say so loudly.
 */
async function persist(deps: ServiceDeps, what: string, work: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await work();
      return;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        deps.logger.error({ err: (error as Error).message, what }, 'handling a Slack event failed for good; re-send it or act by hand');
        return;
      }
      deps.logger.warn({ err: (error as Error).message, what, attempt: attempt + 1 }, 'handling a Slack event failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
