import type { DirectoryGroup } from '../store/directory-repo.js';
import type { ServiceDeps } from './deps.js';
import { slackIdsOf } from './find-person.js';
import type { DirectoryGroupFields } from './provision-directory-group.js';
import { reevaluateGrants } from './reevaluate-grants.js';

export interface GroupChange extends DirectoryGroupFields {
  /** The new member list; undefined leaves the members as they are. */
  memberIds?: string[];
}

export type GroupUpdate = { status: 'not_found' } | { status: 'conflict' } | { status: 'ok'; group: DirectoryGroup };

/**
 * The identity provider changes a group (SCIM PUT or PATCH: rename, members added or removed). People who
 * left it — everyone in it, when it was renamed, since policy rules name groups — are movers: their grants
 * are checked again against the policy and those it no longer allows end.
 */
export async function updateDirectoryGroup(
  deps: ServiceDeps,
  input: { id: string; change: (current: DirectoryGroup, memberIds: string[]) => GroupChange; actor: string },
): Promise<GroupUpdate> {
  const now = deps.clock.now();
  const outcome = await deps.store.transaction(async (tx) => {
    const current = await tx.directory.lockGroup(input.id);
    if (!current) return { status: 'not_found' as const };
    const before = (await tx.directory.groupMembers(current.id)).map((m) => m.userId);
    const next = input.change(current, before);
    if (await tx.directory.groupNameTaken(next.displayName, current.id)) return { status: 'conflict' as const };
    const group = (await tx.directory.updateGroup(current.id, { displayName: next.displayName, externalId: next.externalId, resource: next.resource }, now))!;
    const { added, removed } = next.memberIds ? await tx.directory.setGroupMembers(group.id, next.memberIds) : { added: [], removed: [] };
    const renamed = current.displayName !== group.displayName;
    if (renamed || added.length > 0 || removed.length > 0) {
      await tx.audit.append({
        at: now,
        actor: input.actor,
        action: 'directory.group_updated',
        subjectType: 'system',
        subjectId: `scim-group:${group.id}`,
        data: { name: group.displayName, ...(renamed ? { renamedFrom: current.displayName } : {}), added, removed },
      });
    }
    const movers = renamed ? [...new Set([...before, ...added])] : removed;
    return { status: 'ok' as const, group, movers, why: renamed ? `directory group "${current.displayName}" renamed to "${group.displayName}"` : `removed from directory group "${group.displayName}"` };
  });
  if (outcome.status !== 'ok') return outcome;
  await reevaluateMembers(deps, outcome.movers, outcome.why, input.actor);
  return { status: 'ok', group: outcome.group };
}

/** Checks again the grants of directory users whose group membership changed. */
export async function reevaluateMembers(deps: ServiceDeps, directoryUserIds: string[], change: string, actor: string): Promise<void> {
  for (const id of directoryUserIds) {
    const user = await deps.store.directory.findUser(id);
    if (!user) continue;
    for (const slackUserId of await slackIdsOf(deps, { directoryUser: user })) {
      await reevaluateGrants(deps, { slackUserId, actor, change });
    }
  }
}
