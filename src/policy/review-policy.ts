import { parseDuration } from '../domain/duration.js';
import type { PolicyFile, ReviewFile } from './schema.js';

/** Who reviews an item: the resource's owners, a named group, or the holder's manager (owners when unknown). */
export type ReviewerRule = { kind: 'owners' } | { kind: 'group'; name: string } | { kind: 'manager' };

export type NoResponse = 'revoke' | 'keep' | 'escalate';

/** A review (certification) from `reviews:` in access.yaml, durations in milliseconds. */
export interface ReviewPolicy {
  name: string;
  description: string;
  schedule: string;
  timezone: string;
  resources: string[];
  reviewer: ReviewerRule;
  dueMs: number;
  remindEveryMs: number | null;
  onNoResponse: NoResponse;
  reportChannel: string | null;
}

export function parseReviewerRule(text: string): ReviewerRule {
  if (text === 'manager') return { kind: 'manager' };
  if (text.startsWith('group:')) return { kind: 'group', name: text.slice('group:'.length) };
  return { kind: 'owners' };
}

export function reviewerRuleText(rule: ReviewerRule): string {
  return rule.kind === 'group' ? `group:${rule.name}` : rule.kind;
}

type Problem = { path: string; message: string; line?: number };

/** Cross-checks the schema cannot make: a reviewer group must exist. (Unknown resources are checked in load.ts.) */
export function crossCheckReviews(
  policy: PolicyFile,
  problem: (path: Array<string | number>, message: string) => Problem,
): Problem[] {
  const problems: Problem[] = [];
  for (const [name, review] of Object.entries(policy.reviews)) {
    const rule = parseReviewerRule(review.reviewer);
    if (rule.kind === 'group' && !Object.hasOwn(policy.groups, rule.name)) {
      problems.push(problem(['reviews', name, 'reviewer'], `unknown group "${rule.name}" (define it under groups:)`));
    }
    if (review.remind_every && parseDuration(review.remind_every) >= parseDuration(review.due) && review.on_no_response !== 'escalate') {
      problems.push(problem(['reviews', name, 'remind_every'], `not shorter than due (${review.due}): no reminder would be sent`));
    }
  }
  return problems;
}

export function compileReviews(reviews: Record<string, ReviewFile>): Record<string, ReviewPolicy> {
  return Object.fromEntries(
    Object.entries(reviews).map(([name, r]) => [
      name,
      {
        name,
        description: r.description ?? name,
        schedule: r.schedule,
        timezone: r.timezone,
        resources: r.resources,
        reviewer: parseReviewerRule(r.reviewer),
        dueMs: parseDuration(r.due),
        remindEveryMs: r.remind_every ? parseDuration(r.remind_every) : null,
        onNoResponse: r.on_no_response,
        reportChannel: r.report_channel ?? null,
      } satisfies ReviewPolicy,
    ]),
  );
}
