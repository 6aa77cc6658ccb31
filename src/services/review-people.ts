import type { Policy, Resource } from '../policy/policy.js';
import { parseReviewerRule } from '../policy/review-policy.js';
import type { Directory } from './deps.js';
import { resolvePeople } from './resolve-people.js';

/** The people who may review a resource's items, resolved once per resource (Slack user groups looked up). */
export interface ReviewerPool {
  /** What the review's `reviewer:` names: the owners, or a named group (empty for `manager`). */
  byRule: string[];
  owners: string[];
  admins: string[];
  /** `reviewer: manager`: look each holder's manager up in the directory. */
  byManager: boolean;
}

export async function reviewerPool(policy: Policy, directory: Directory, reviewer: string, resource: Resource): Promise<ReviewerPool> {
  const rule = parseReviewerRule(reviewer);
  const [owners, admins, group] = await Promise.all([
    resolvePeople(policy, directory, resource.owners),
    resolvePeople(policy, directory, policy.admins),
    rule.kind === 'group' ? resolvePeople(policy, directory, [`group:${rule.name}`]) : Promise.resolve(new Set<string>()),
  ]);
  return {
    byRule: rule.kind === 'owners' ? [...owners] : [...group],
    owners: [...owners],
    admins: [...admins],
    byManager: rule.kind === 'manager',
  };
}

/**
 * Where undecided items go at due under `on_no_response: escalate`: up one level. Items a manager or
 * group member left go to the owners; items an owner left go to the admins; failing those, another owner.
 */
export function escalationLists(pool: ReviewerPool, currentReviewer: string | null): string[][] {
  const ownerLeftIt = currentReviewer !== null && pool.owners.includes(currentReviewer);
  const otherOwners = pool.owners.filter((id) => id !== currentReviewer);
  return ownerLeftIt ? [pool.admins.filter((id) => id !== currentReviewer), otherOwners] : [pool.owners, pool.admins];
}

/** Managers of these people, when the directory can say; an empty map otherwise (reviews fall back to owners). */
export async function managersOf(directory: Directory, holderIds: Iterable<string>): Promise<Map<string, string>> {
  const ids = [...new Set(holderIds)];
  if (!directory.managersOf || ids.length === 0) return new Map();
  return directory.managersOf(ids);
}
