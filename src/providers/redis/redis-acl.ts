/** Pure helpers for Redis 7 ACL users and selectors: no I/O here. */

/**
 * One command, key or channel rule, the only kinds a selector holds. No whitespace or parentheses,
 * so a rule can never close the selector it is written into and smuggle in `on`, `nopass` or `>pw`.
 */
export const RULE =
  /^(?:[+-]@?[A-Za-z0-9_|.:-]+|(?:%R?W?)?~[^\s()]+|&[^\s()]+|allkeys|allchannels|allcommands|nocommands|resetkeys|resetchannels)$/;

/** A selector as ACL GETUSER reports it; Redis normalises rule text, so equal rules compare equal. */
export interface Selector {
  commands: string;
  keys: string;
  channels: string;
}

export interface AclUser {
  on: boolean;
  selectors: Selector[];
}

export function sameSelector(a: Selector, b: Selector): boolean {
  return a.commands === b.commands && a.keys === b.keys && a.channels === b.channels;
}

/** The SETUSER argument that recreates a selector read back from GETUSER. */
export function selectorArgument(rules: readonly string[]): string {
  return `(${rules.join(' ')})`;
}

/**
 * Rules that rebuild a selector from its GETUSER form. A new selector starts with no keys and `-@all`;
 * `resetchannels` first so the result does not depend on the server's acl-pubsub-default.
 */
export function selectorRules(selector: Selector): string[] {
  return ['resetchannels', selector.keys, selector.channels, selector.commands]
    .flatMap((part) => part.split(' '))
    .filter((rule) => rule !== '');
}

/** Reads a field from a RESP3 map (object or Map) or a RESP2 flat [name, value, …] array. */
function field(reply: unknown, name: string): unknown {
  if (reply instanceof Map) return reply.get(name);
  if (Array.isArray(reply)) {
    const index = reply.findIndex((item, i) => i % 2 === 0 && String(item) === name);
    return index >= 0 ? reply[index + 1] : undefined;
  }
  return reply && typeof reply === 'object' ? (reply as Record<string, unknown>)[name] : undefined;
}

const text = (value: unknown): string => (Array.isArray(value) ? value.join(' ') : value == null ? '' : String(value));

/** Parses an ACL GETUSER reply; `null` when the user does not exist. */
export function parseAclUser(reply: unknown): AclUser | null {
  if (reply == null) return null;
  const flags = field(reply, 'flags');
  const flagList = flags instanceof Set ? [...flags] : Array.isArray(flags) ? flags : [];
  const selectors = field(reply, 'selectors');
  return {
    on: flagList.map(String).includes('on'),
    selectors: (Array.isArray(selectors) ? selectors : []).map((s: unknown) => ({
      commands: text(field(s, 'commands')),
      keys: text(field(s, 'keys')),
      channels: text(field(s, 'channels')),
    })),
  };
}
