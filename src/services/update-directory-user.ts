import type { DirectoryUser, DirectoryUserFields } from '../store/directory-repo.js';
import type { ServiceDeps } from './deps.js';
import { slackIdsOf } from './find-person.js';
import { offboardPrincipal } from './offboard-principal.js';
import { directoryFacts } from './provision-directory-user.js';
import { reinstatePrincipal } from './reinstate-principal.js';

export type DirectoryUpdate = { status: 'not_found' } | { status: 'conflict' } | { status: 'ok'; user: DirectoryUser };

/**
 * The identity provider changes a user (SCIM PUT or PATCH). `change` computes the new attributes from the
 * current ones while the row is locked, so concurrent PATCHes apply in turn. A user who is inactive
 * afterwards is offboarded — every time, not only on the change, so a call retried after a failure still
 * completes the offboarding; one who becomes active again may file requests again.
 */
export async function updateDirectoryUser(
  deps: ServiceDeps,
  input: { id: string; change: (current: DirectoryUser) => DirectoryUserFields; actor: string },
): Promise<DirectoryUpdate> {
  const now = deps.clock.now();
  const outcome = await deps.store.transaction(async (tx): Promise<DirectoryUpdate & { was?: DirectoryUser }> => {
    const current = await tx.directory.lockUser(input.id);
    if (!current) return { status: 'not_found' };
    const fields = input.change(current);
    if (await tx.directory.userNameTaken(fields.userName, current.id)) return { status: 'conflict' };
    const user = (await tx.directory.updateUser(current.id, { ...fields, slackUserId: fields.slackUserId ?? current.slackUserId }, now))!;
    const changed = Object.fromEntries(
      Object.entries(directoryFacts(user)).filter(([key, value]) => (directoryFacts(current) as Record<string, unknown>)[key] !== value),
    );
    if (Object.keys(changed).length > 0) {
      await tx.audit.append({ at: now, actor: input.actor, action: 'directory.user_updated', subjectType: 'principal', subjectId: user.slackUserId ?? `scim:${user.id}`, data: { scimId: user.id, changed } });
    }
    return { status: 'ok', user, was: current };
  });
  if (outcome.status !== 'ok') return outcome;

  let user = outcome.user;
  if (!user.slackUserId && user.active) {
    const found = await deps.directory.userIdByEmail?.(user.email ?? user.userName);
    if (found) {
      await deps.store.directory.linkSlackUser(user.id, found);
      user = { ...user, slackUserId: found };
    }
  }
  const slackUserIds = await slackIdsOf(deps, { directoryUser: user });
  if (!user.active && slackUserIds.length > 0) {
    await offboardPrincipal(deps, { slackUserIds, label: user.email ?? user.userName, source: 'scim', actor: input.actor, reason: 'deactivated in the identity provider (SCIM)' });
  } else if (user.active && outcome.was && !outcome.was.active && slackUserIds.length > 0) {
    await reinstatePrincipal(deps, { slackUserIds, actor: input.actor, source: 'scim' });
  }
  return { status: 'ok', user };
}
