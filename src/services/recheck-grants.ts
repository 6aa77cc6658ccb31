import type { ServiceDeps } from './deps.js';
import { reevaluateGrants } from './reevaluate-grants.js';

/**
 * The movers' safety net: a bounded batch of people with active access, each checked again against the
 * policy's `requesters`. It catches what no event announced — a Slack event that was never delivered, a
 * SCIM change whose re-check failed, or a policy file tightened since the grant was made. Returns where
 * the next batch starts ('' once everyone has been seen, so the next run starts over).
 */
export async function recheckGrants(deps: ServiceDeps, options: { after: string; limit?: number }): Promise<string> {
  const holders = await deps.store.grants.activeHolders(options.after, options.limit ?? 50);
  for (const slackUserId of holders) {
    try {
      await reevaluateGrants(deps, { slackUserId, actor: 'system', change: 'periodic re-check' });
    } catch (error) {
      // One person's lookup failing (Slack down, a deleted user group) must not stop the others.
      deps.logger.warn({ err: (error as Error).message, slackUserId }, 'could not re-check grants; next round tries again');
    }
  }
  return holders.length === (options.limit ?? 50) ? holders[holders.length - 1]! : '';
}
