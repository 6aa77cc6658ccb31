import type { DirectoryGroup, DirectoryUser, DirectoryUserFields } from '../../store/directory-repo.js';
import { ScimError } from './scim-error.js';

/** Pure mapping between SCIM 2.0 JSON (RFC 7643) and the directory's rows, tolerant of Okta's and Entra's quirks. */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Json = Record<string, unknown>;

/** Read-only and secret attributes never stored: `password` (Okta always sends a placeholder), `id`, `meta`. */
const NOT_STORED = new Set(['password', 'id', 'meta', 'groups']);

/** `true`, `false`, and Entra's strings `"True"`/`"False"` in any case. */
export function scimBoolean(value: unknown, attribute: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw new ScimError(400, `${attribute} must be true or false`, 'invalidValue');
}

/** The attributes of a User as sent, cleaned for storage; `active` defaults to true (RFC 7643 leaves it to us). */
export function storedUser(body: Json): Json {
  const stored: Json = {};
  for (const [key, value] of Object.entries(body)) {
    if (NOT_STORED.has(key.toLowerCase()) || value === null) continue; // Entra sends explicit nulls for unset attributes
    stored[key.toLowerCase() === 'active' ? 'active' : key] = value;
  }
  stored.active = stored.active === undefined ? true : scimBoolean(stored.active, 'active');
  return stored;
}

/** What Keycard queries, read from a stored User. */
export function userFields(stored: Json, slackUserId: string | null): DirectoryUserFields {
  const userName = stored.userName;
  if (typeof userName !== 'string' || userName.trim() === '') throw new ScimError(400, 'userName is required', 'invalidValue');
  const enterprise = (stored[ENTERPRISE_USER] ?? {}) as Json;
  const name = (stored.name ?? {}) as Json;
  const display =
    str(stored.displayName) ?? str(name.formatted) ?? ([str(name.givenName), str(name.familyName)].filter(Boolean).join(' ') || null);
  return {
    userName: userName.trim(),
    externalId: str(stored.externalId),
    email: primaryEmail(stored.emails) ?? (userName.includes('@') ? userName.trim() : null),
    displayName: display,
    department: str(enterprise.department) ?? str(stored.department),
    manager: managerId(enterprise.manager),
    active: stored.active !== false,
    slackUserId,
    resource: stored,
  };
}

/** The User as SCIM returns it: stored attributes plus id, groups and meta. */
export function userResource(user: DirectoryUser, groups: DirectoryGroup[], baseUrl: string): Json {
  const schemas = [USER_SCHEMA, ...(user.resource[ENTERPRISE_USER] ? [ENTERPRISE_USER] : [])];
  return {
    ...user.resource,
    schemas,
    id: user.id,
    active: user.active,
    groups: groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${baseUrl}/Groups/${g.id}` })),
    meta: { resourceType: 'User', created: user.createdAt.toISOString(), lastModified: user.updatedAt.toISOString(), location: `${baseUrl}/Users/${user.id}` },
  };
}

export function storedGroup(body: Json): { displayName: string; externalId: string | null; resource: Json } {
  const displayName = body.displayName;
  if (typeof displayName !== 'string' || displayName.trim() === '') throw new ScimError(400, 'displayName is required', 'invalidValue');
  const resource: Json = {};
  for (const [key, value] of Object.entries(body)) {
    if (NOT_STORED.has(key.toLowerCase()) || key.toLowerCase() === 'members' || value === null) continue;
    resource[key] = value;
  }
  return { displayName: displayName.trim(), externalId: str(body.externalId), resource };
}

/** Member ids from a `members` value: `[{value}]` objects, or bare strings as one reference collection sends. */
export function memberIds(members: unknown): string[] {
  if (members === undefined || members === null) return [];
  if (!Array.isArray(members)) throw new ScimError(400, 'members must be a list', 'invalidValue');
  return members.map((m) => (typeof m === 'string' ? m : str((m as Json)?.value))).filter((v): v is string => v !== null);
}

export function groupResource(group: DirectoryGroup, members: Array<{ userId: string; userName: string }> | null, baseUrl: string): Json {
  return {
    ...group.resource,
    schemas: [GROUP_SCHEMA],
    id: group.id,
    displayName: group.displayName,
    ...(members ? { members: members.map((m) => ({ value: m.userId, display: m.userName, $ref: `${baseUrl}/Users/${m.userId}` })) } : {}),
    meta: { resourceType: 'Group', created: group.createdAt.toISOString(), lastModified: group.updatedAt.toISOString(), location: `${baseUrl}/Groups/${group.id}` },
  };
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function primaryEmail(emails: unknown): string | null {
  if (!Array.isArray(emails)) return null;
  const list = emails.filter((e): e is Json => !!e && typeof e === 'object');
  const pick = list.find((e) => e.primary === true || e.primary === 'true') ?? list.find((e) => e.type === 'work') ?? list[0];
  return str(pick?.value);
}

/** Entra sends the manager as a plain string; RFC 7643 as `{value}`; an empty string clears it. */
function managerId(value: unknown): string | null {
  if (typeof value === 'string') return str(value);
  if (Array.isArray(value)) return managerId(value[0]);
  if (value && typeof value === 'object') return str((value as Json).value);
  return null;
}
