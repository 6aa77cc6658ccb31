import { closest, distance } from 'fastest-levenshtein';
import { DomainError } from '../domain/errors.js';
import { formatDurationShort, parseDuration } from '../domain/duration.js';
import type { AutoApproveRule, Policy, Resource } from './policy.js';
import { inTimeWindow } from './time-window.js';

/** Pure policy evaluation: no I/O. Slack user groups arrive already resolved to member ids. */

export function findResource(policy: Policy, name: string): Resource {
  // Own keys only: a typed name such as `constructor` must not find Object.prototype members.
  const resource = Object.hasOwn(policy.resources, name) ? policy.resources[name] : undefined;
  if (resource) return resource;
  throw new DomainError('unknown_resource', `no resource named "${name}"`, {
    resource: name,
    suggestions: suggestResources(policy, name),
  });
}

const lower = (text: string) => text.toLowerCase();

/** Up to three resource names close to what was typed, closest first. */
export function suggestResources(policy: Policy, typed: string): string[] {
  const names = Object.keys(policy.resources);
  if (names.length === 0) return [];
  const needle = typed.toLowerCase();
  const scored = names
    .map((name) => ({
      name,
      score: lower(name).includes(needle) || needle.includes(lower(name)) ? 0 : distance(needle, lower(name)),
    }))
    .filter((s) => s.score <= Math.max(3, Math.floor(s.name.length / 2)))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  const picked = scored.slice(0, 3).map((s) => s.name);
  return picked.length > 0 ? picked : [closest(typed, names)];
}

/**
 * Expands person references into Slack user ids and Slack user-group ids, following named groups.
 * Cycles are refused when the policy loads, so recursion ends.
 */
export function expandPeople(
  policy: Policy,
  refs: readonly string[],
): { userIds: string[]; usergroupIds: string[]; directoryGroups: string[] } {
  const userIds = new Set<string>();
  const usergroupIds = new Set<string>();
  const directoryGroups = new Set<string>();
  const visit = (ref: string) => {
    if (ref.startsWith('usergroup:')) {
      usergroupIds.add(ref.slice('usergroup:'.length));
    } else if (ref.startsWith('group:')) {
      const name = ref.slice('group:'.length);
      if (Object.hasOwn(policy.groups, name)) policy.groups[name]!.forEach(visit);
    } else if (ref.startsWith('directory:')) {
      // SCIM group names compare ignoring case, as the directory stores them.
      directoryGroups.add(ref.slice('directory:'.length).trim().toLowerCase());
    } else {
      userIds.add(ref);
    }
  };
  refs.forEach(visit);
  return { userIds: [...userIds], usergroupIds: [...usergroupIds], directoryGroups: [...directoryGroups] };
}

/** Resolves a duration the requester typed (or the default) within the resource's bounds (invariant 4). */
export function resolveDuration(resource: Resource, typed: string | undefined): number {
  const ms = typed === undefined || typed.trim() === '' ? resource.duration.defaultMs : parseDuration(typed);
  if (ms > resource.duration.maxMs) {
    throw new DomainError(
      'duration_too_long',
      `${formatDurationShort(ms)} is longer than the maximum of ${formatDurationShort(resource.duration.maxMs)} for ${resource.name}`,
      { requestedMs: ms, maxMs: resource.duration.maxMs },
    );
  }
  if (ms < resource.duration.minMs) {
    throw new DomainError(
      'duration_too_short',
      `${formatDurationShort(ms)} is shorter than the minimum of ${formatDurationShort(resource.duration.minMs)} for ${resource.name}`,
      { requestedMs: ms, minMs: resource.duration.minMs },
    );
  }
  return ms;
}

/** Whom a set of person references names, given who is in each Slack user group. */
export type Membership = (refs: readonly string[]) => boolean;

export function mayRequest(resource: Resource, isIn: Membership): boolean {
  return resource.requesters === null || isIn(resource.requesters);
}

/** The first auto-approval rule whose every condition holds, or null. */
export function matchAutoApproval(resource: Resource, durationMs: number, isIn: Membership, now: Date): AutoApproveRule | null {
  return (
    resource.autoApprove.find(
      (r) =>
        (r.requesterIn === null || isIn(r.requesterIn)) &&
        (r.maxDurationMs === null || durationMs <= r.maxDurationMs) &&
        (r.when === null || inTimeWindow(r.when, now)),
    ) ?? null
  );
}

/** Every person reference a request decision needs resolved: requesters, auto-approval rules, approvers. */
export function referencedPeople(resource: Resource): string[] {
  return [
    ...(resource.requesters ?? []),
    ...resource.autoApprove.flatMap((r) => r.requesterIn ?? []),
    ...resource.approvers,
  ];
}
