import type { WebClient } from '@slack/web-api';
import type { Principal } from '../domain/types.js';
import type { Directory } from '../services/deps.js';

const PROFILE_TTL_MS = 5 * 60_000;
const USERGROUP_TTL_MS = 60_000;
const FIELD_LABELS_TTL_MS = 60 * 60_000;

export interface SlackDirectoryOptions {
  /**
   * Custom profile fields (`Xf…`) that providers map identities by. Only when there are some does a
   * profile lookup also call `users.profile.get` (scope users.profile:read): `users.info` leaves them out.
   */
  profileFields?: readonly string[];
  now?: () => number;
}

/**
 * Slack as the directory: profiles from `users.info` (email needs the users:read.email scope) and
 * user-group members from `usergroups.users.list`, each cached briefly so a burst of clicks costs one call.
 */
export class SlackDirectory implements Directory {
  private readonly profiles = new Map<string, { at: number; value: Promise<Principal> }>();
  private readonly groups = new Map<string, { at: number; value: Promise<string[]> }>();
  private readonly emails = new Map<string, { at: number; value: Promise<string | null> }>();
  private readonly labels = new Map<string, { at: number; value: Promise<Map<string, string>> }>();
  private readonly profileFields: readonly string[];
  private readonly now: () => number;

  constructor(private readonly client: WebClient, options: SlackDirectoryOptions = {}) {
    this.profileFields = options.profileFields ?? [];
    this.now = options.now ?? Date.now;
  }

  principal(slackUserId: string): Promise<Principal> {
    return this.cached(this.profiles, slackUserId, PROFILE_TTL_MS, async () => {
      const [{ user }, profileFields] = await Promise.all([this.client.users.info({ user: slackUserId }), this.loadProfileFields(slackUserId)]);
      return {
        slackUserId,
        email: user?.profile?.email ?? null,
        displayName: user?.real_name || user?.profile?.display_name || user?.name || slackUserId,
        ...(profileFields ? { profileFields } : {}),
      };
    });
  }

  /** Labels of custom profile fields (`team.profile.get`, users.profile:read), for telling people which field to fill in. */
  profileFieldLabels(): Promise<Map<string, string>> {
    return this.cached(this.labels, 'team', FIELD_LABELS_TTL_MS, async () => {
      const { profile } = await this.client.team.profile.get();
      return new Map((profile?.fields ?? []).flatMap((f) => (f.id && f.label ? [[f.id, f.label] as const] : [])));
    });
  }

  /** The configured fields' values; a field the person left empty is absent. */
  private async loadProfileFields(slackUserId: string): Promise<Record<string, string> | undefined> {
    if (this.profileFields.length === 0) return undefined;
    const { profile } = await this.client.users.profile.get({ user: slackUserId });
    return pickFieldValues(profile?.fields, this.profileFields);
  }

  /** After `subteam_members_changed`: the cached list is stale, and a mover must not re-request on it. */
  forgetUsergroup(usergroupId: string): void {
    this.groups.delete(usergroupId);
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

/** `fields` is an object keyed by field id; take anything else (Slack has sent `null` and `[]` for "none") as empty. */
export function pickFieldValues(fields: unknown, wanted: readonly string[]): Record<string, string> {
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return {};
  const byId = fields as Record<string, { value?: unknown } | null | undefined>;
  return Object.fromEntries(
    wanted.flatMap((id) => {
      const value = byId[id]?.value;
      return typeof value === 'string' && value.trim() !== '' ? [[id, value]] : [];
    }),
  );
}
