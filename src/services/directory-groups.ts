import type { Store } from '../store/store.js';
import type { Directory } from './deps.js';

/**
 * A directory that also knows the groups the identity provider provisions over SCIM, so policy rules
 * can name them (`directory:<group name>`). A Slack user is matched to directory users by the Slack id
 * recorded when they were provisioned, or by their Slack profile email.
 */
export function withDirectoryGroups(base: Directory, store: Pick<Store, 'directory'>): Directory {
  return {
    principal: (id) => base.principal(id),
    usergroupMembers: (id) => base.usergroupMembers(id),
    ...(base.forgetUsergroup ? { forgetUsergroup: (id: string) => base.forgetUsergroup!(id) } : {}),
    ...(base.userIdByEmail ? { userIdByEmail: (email: string) => base.userIdByEmail!(email) } : {}),
    ...(base.profileFieldLabels ? { profileFieldLabels: () => base.profileFieldLabels!() } : {}),
    async directoryGroupsOf(slackUserId) {
      const email = (await base.principal(slackUserId).catch(() => null))?.email ?? null;
      const people = (await store.directory.findPerson({ slackUserId, email })).filter((u) => u.active);
      const groups = await Promise.all(people.map((u) => store.directory.groupsOfUser(u.id)));
      return [...new Set(groups.flat().map((g) => g.displayName.toLowerCase()))];
    },
    directoryGroupMembers: (name) => store.directory.slackIdsInGroup(name),
    managersOf: (ids) => store.directory.managersOf(ids),
  };
}
