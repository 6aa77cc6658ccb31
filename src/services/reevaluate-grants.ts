import type { Grant } from '../domain/types.js';
import { mayRequest } from '../policy/evaluate.js';
import type { Directory, ServiceDeps } from './deps.js';
import { endGrantsNow } from './end-grants-now.js';
import { notify } from './notifications.js';
import { membershipOf } from './resolve-people.js';
import { endedGrant } from './security-notice.js';

export interface ReevaluateGrantsInput {
  slackUserId: string;
  /** Slack user groups the person just left, from the event itself: cached member lists may still list them. */
  leftUsergroups?: string[];
  actor: string;
  /** What changed, in words (`left Slack user group S0ENG`); recorded as part of each grant's end reason. */
  change: string;
}

/**
 * A mover: after a group change, each of the person's grants is checked again against its resource's
 * `requesters`. Grants the policy no longer allows end now, with the reason recorded; the revoke job
 * removes them at the provider. Grants still allowed are untouched.
 */
export async function reevaluateGrants(deps: ServiceDeps, input: ReevaluateGrantsInput): Promise<Grant[]> {
  const { store, policy, clock } = deps;
  const held = await store.grants.listByHolder(input.slackUserId, ['pending', 'active']);
  if (held.length === 0) return [];
  const directory = withoutMember(deps.directory, input.slackUserId, new Set(input.leftUsergroups ?? []));

  const disallowed: Grant[] = [];
  for (const grant of held) {
    const resource = policy.resources[grant.resource];
    if (!resource || resource.requesters === null) continue; // a resource gone from the policy is not this check's business
    const isIn = await membershipOf(policy, directory, input.slackUserId, resource.requesters);
    if (!mayRequest(resource, isIn)) disallowed.push(grant);
  }
  if (disallowed.length === 0) return [];

  const now = clock.now();
  const reason = `no longer allowed by the policy (${input.change})`;
  const ended = await store.transaction(async (tx) => {
    const rows = await endGrantsNow(tx, disallowed, { actor: input.actor, reason, action: 'grant.revoked_by_policy', now });
    if (rows.length > 0 && policy.securityChannel) {
      await notify(tx, { kind: 'security.notice', channel: policy.securityChannel, notice: { type: 'no_longer_allowed', slackUserId: input.slackUserId, why: input.change, grants: rows.map(endedGrant) } }, now);
    }
    return rows;
  });
  if (ended.length > 0) {
    deps.wake('revoke-expired-grants');
    deps.wake('deliver-notifications');
  }
  return ended;
}

/** The directory, except that `userId` is no longer in the named Slack user groups. */
function withoutMember(directory: Directory, userId: string, left: Set<string>): Directory {
  if (left.size === 0) return directory;
  return {
    ...directory,
    principal: (id) => directory.principal(id),
    ...(directory.forgetUsergroup ? { forgetUsergroup: (id: string) => directory.forgetUsergroup!(id) } : {}),
    usergroupMembers: async (id) => {
      const members = await directory.usergroupMembers(id);
      return left.has(id) ? members.filter((m) => m !== userId) : members;
    },
    ...(directory.directoryGroupsOf ? { directoryGroupsOf: (id: string) => directory.directoryGroupsOf!(id) } : {}),
    ...(directory.directoryGroupMembers ? { directoryGroupMembers: (name: string) => directory.directoryGroupMembers!(name) } : {}),
  };
}
