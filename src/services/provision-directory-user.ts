import type { DirectoryUser, DirectoryUserFields } from '../store/directory-repo.js';
import type { ServiceDeps } from './deps.js';

/**
 * A joiner: the identity provider creates a user over SCIM. Their attributes (email, manager, department,
 * active) are kept for policy rules and reviewer routing, linked to their Slack account by email when
 * Slack knows it. Null when the userName is already taken.
 */
export async function provisionDirectoryUser(deps: Pick<ServiceDeps, 'store' | 'clock' | 'directory'>, input: { fields: DirectoryUserFields; actor: string }): Promise<DirectoryUser | null> {
  const email = input.fields.email ?? (input.fields.userName.includes('@') ? input.fields.userName : null);
  const slackUserId = input.fields.slackUserId ?? (email ? ((await deps.directory.userIdByEmail?.(email)) ?? null) : null);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const user = await tx.directory.insertUser({ ...input.fields, slackUserId }, now);
    if (!user) return null;
    await tx.audit.append({ at: now, actor: input.actor, action: 'directory.user_created', subjectType: 'principal', subjectId: slackUserId ?? `scim:${user.id}`, data: directoryFacts(user) });
    return user;
  });
}

/** What the audit log keeps of a directory user: what policy and reviews use, not the whole profile. */
export function directoryFacts(user: DirectoryUser): Record<string, unknown> {
  return { scimId: user.id, userName: user.userName, externalId: user.externalId, email: user.email, department: user.department, manager: user.manager, active: user.active, slackUserId: user.slackUserId };
}
