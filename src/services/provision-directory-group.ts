import type { DirectoryGroup } from '../store/directory-repo.js';
import type { ServiceDeps } from './deps.js';

export interface DirectoryGroupFields {
  displayName: string;
  externalId: string | null;
  resource: Record<string, unknown>;
}

/** The identity provider pushes a group over SCIM. Null when the name is taken (SCIM answers 409). */
export async function provisionDirectoryGroup(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  input: { fields: DirectoryGroupFields; memberIds: string[]; actor: string },
): Promise<DirectoryGroup | null> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const group = await tx.directory.insertGroup(input.fields, now);
    if (!group) return null;
    const { added } = await tx.directory.setGroupMembers(group.id, input.memberIds);
    await tx.audit.append({ at: now, actor: input.actor, action: 'directory.group_created', subjectType: 'system', subjectId: `scim-group:${group.id}`, data: { name: group.displayName, externalId: group.externalId, members: added } });
    return group;
  });
}
