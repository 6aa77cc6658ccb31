import type { WebClient } from '@slack/web-api';
import type { Principal } from '../domain/types.js';
import type { Directory } from '../services/deps.js';

const PROFILE_TTL_MS = 5 * 60_000;
const USERGROUP_TTL_MS = 60_000;

/**
 * Slack as the directory: profiles from `users.info` (email needs the users:read.email scope) and
 * user-group members from `usergroups.users.list`, each cached briefly so a burst of clicks costs one call.
 */
export class SlackDirectory implements Directory {
  private readonly profiles = new Map<string, { at: number; value: Promise<Principal> }>();
  private readonly groups = new Map<string, { at: number; value: Promise<string[]> }>();
  private readonly emails = new Map<string, { at: number; value: Promise<string | null> }>();

  constructor(private readonly client: WebClient, private readonly now: () => number = Date.now) {}

  principal(slackUserId: string): Promise<Principal> {
    return this.cached(this.profiles, slackUserId, PROFILE_TTL_MS, async () => {
      const { user } = await this.client.users.info({ user: slackUserId });
      return {
        slackUserId,
        email: user?.profile?.email ?? null,
        displayName: user?.real_name || user?.profile?.display_name || user?.name || slackUserId,
      };
    });
  }

  usergroupMembers(usergroupId: string): Promise<string[]> {
    return this.cached(this.groups, usergroupId, USERGROUP_TTL_MS, async () => {
      const { users } = await this.client.usergroups.users.list({ usergroup: usergroupId });
      return users ?? [];
    });
  }

  /** `users.lookupByEmail` (users:read.email); null when no Slack user has this email. */
  userIdByEmail(email: string): Promise<string | null> {
    return this.cached(this.emails, email.toLowerCase(), PROFILE_TTL_MS, async () => {
      try {
        const { user } = await this.client.users.lookupByEmail({ email });
        return user?.id ?? null;
      } catch (error) {
        if ((error as { data?: { error?: string } }).data?.error === 'users_not_found') return null;
        throw error;
      }
    });
  }

  private cached<T>(map: Map<string, { at: number; value: Promise<T> }>, key: string, ttl: number, load: () => Promise<T>): Promise<T> {
    const hit = map.get(key);
    if (hit && this.now() - hit.at < ttl) return hit.value;
    const value = load();
    map.set(key, { at: this.now(), value });
    value.catch(() => map.delete(key)); // a failed lookup is not remembered
    return value;
  }
}
