import type { ServiceDeps } from './deps.js';
import { reevaluateMembers } from './update-directory-group.js';

/** The identity provider deletes a group; its former members are movers. False when no such group. */
export async function removeDirectoryGroup(deps: ServiceDeps, input: { id: string; actor: string }): Promise<boolean> {
  const now = deps.clock.now();
  const removed = await deps.store.transaction(async (tx) => {
    const group = await tx.directory.lockGroup(input.id);
    if (!group) return null;
    const members = (await tx.directory.groupMembers(group.id)).map((m) => m.userId);
    await tx.directory.deleteGroup(group.id);
    await tx.audit.append({ at: now, actor: input.actor, action: 'directory.group_deleted', subjectType: 'system', subjectId: `scim-group:${group.id}`, data: { name: group.displayName, members } });
    return { name: group.displayName, members };
  });
  if (!removed) return false;
  await reevaluateMembers(deps, removed.members, `directory group "${removed.name}" deleted`, input.actor);
  return true;
}
