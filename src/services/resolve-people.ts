import { expandPeople, type Membership } from '../policy/evaluate.js';
import type { Policy } from '../policy/policy.js';
import type { Directory } from './deps.js';

/** Slack user ids named by person references, with Slack user groups (and SCIM groups) looked up in the directory. */
export async function resolvePeople(policy: Policy, directory: Directory, refs: readonly string[]): Promise<Set<string>> {
  const { userIds, usergroupIds, directoryGroups } = expandPeople(policy, refs);
  const members = await Promise.all(usergroupIds.map((id) => directory.usergroupMembers(id)));
  const provisioned = await Promise.all(directoryGroups.map((name) => directory.directoryGroupMembers?.(name) ?? []));
  return new Set([...userIds, ...members.flat(), ...provisioned.flat()]);
}

/** A membership test for one person, over references resolved once up front. */
export async function membershipOf(
  policy: Policy,
  directory: Directory,
  userId: string,
  refsInPlay: readonly string[],
): Promise<Membership> {
  const { usergroupIds, directoryGroups } = expandPeople(policy, refsInPlay);
  const groupsWithUser = new Set<string>();
  await Promise.all(
    usergroupIds.map(async (id) => {
      if ((await directory.usergroupMembers(id)).includes(userId)) groupsWithUser.add(id);
    }),
  );
  const provisionedGroups = new Set(directoryGroups.length > 0 ? ((await directory.directoryGroupsOf?.(userId)) ?? []) : []);
  return (refs) => {
    const expanded = expandPeople(policy, refs);
    return (
      expanded.userIds.includes(userId) ||
      expanded.usergroupIds.some((id) => groupsWithUser.has(id)) ||
      expanded.directoryGroups.some((name) => provisionedGroups.has(name))
    );
  };
}
