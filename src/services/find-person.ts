import type { DirectoryUser } from '../store/directory-repo.js';
import type { ServiceDeps } from './deps.js';

/**
 * The Slack ids of one person, from whatever is known: a Slack id, an email, or their directory (SCIM)
 * record. Slack's own email lookup comes first; requests they filed with that email catch a person Slack
 * no longer returns (a deactivated account).
 */
export async function slackIdsOf(
  deps: Pick<ServiceDeps, 'store' | 'directory'>,
  person: { slackUserId?: string | null; email?: string | null; directoryUser?: DirectoryUser | null },
): Promise<string[]> {
  const ids = new Set<string>();
  if (person.slackUserId) ids.add(person.slackUserId);
  if (person.directoryUser?.slackUserId) ids.add(person.directoryUser.slackUserId);
  const emails = new Set([person.email, person.directoryUser?.email, person.directoryUser?.userName].filter((e): e is string => !!e && e.includes('@')).map((e) => e.toLowerCase()));
  for (const email of emails) {
    const found = await deps.directory.userIdByEmail?.(email);
    if (found) ids.add(found);
    for (const id of await deps.store.requests.requesterIdsByEmail(email)) ids.add(id);
  }
  if (person.email) {
    for (const user of await deps.store.directory.findPerson({ email: person.email })) if (user.slackUserId) ids.add(user.slackUserId);
  }
  return [...ids];
}
