import type { ServiceDeps } from './deps.js';
import { slackIdsOf } from './find-person.js';
import { offboardPrincipal } from './offboard-principal.js';
import { directoryFacts } from './provision-directory-user.js';

/**
 * The identity provider deletes a user (SCIM DELETE, e.g. Entra's hard delete). They are offboarded first;
 * the directory row goes only once that has committed, so a retried DELETE after a failure still finds
 * them. False when no such user exists.
 */
export async function removeDirectoryUser(deps: ServiceDeps, input: { id: string; actor: string }): Promise<boolean> {
  const user = await deps.store.directory.findUser(input.id);
  if (!user) return false;
  const slackUserIds = await slackIdsOf(deps, { directoryUser: user });
  if (slackUserIds.length > 0) {
    await offboardPrincipal(deps, { slackUserIds, label: user.email ?? user.userName, source: 'scim', actor: input.actor, reason: 'deleted in the identity provider (SCIM)' });
  }
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const deleted = await tx.directory.deleteUser(user.id);
    if (!deleted) return;
    await tx.audit.append({ at: now, actor: input.actor, action: 'directory.user_deleted', subjectType: 'principal', subjectId: user.slackUserId ?? `scim:${user.id}`, data: directoryFacts(deleted) });
  });
  return true;
}
