import type { Principal } from '../domain/types.js';
import type { IdentityRule } from '../policy/schema.js';

const DEFAULT_RULE: IdentityRule = { from: 'email_local_part' };

/**
 * A Slack user becomes a provider identity by the provider's rule; with no rule, the local part of the
 * profile email. Returns null when the rule cannot produce one (e.g. no email on the profile).
 */
export function mapIdentity(principal: Principal, rule: IdentityRule | undefined): string | null {
  const effective = rule ?? DEFAULT_RULE;
  const explicit = effective.map?.[principal.slackUserId];
  if (explicit) return explicit;
  switch (effective.from) {
    case 'slack_user_id':
      return principal.slackUserId;
    case 'email':
      return principal.email?.toLowerCase() ?? null;
    case 'email_local_part': {
      const local = principal.email?.split('@')[0]?.toLowerCase();
      return local ? local : null;
    }
  }
}

export function describeIdentityRule(rule: IdentityRule | undefined): string {
  switch ((rule ?? DEFAULT_RULE).from) {
    case 'slack_user_id':
      return 'your Slack user id';
    case 'email':
      return 'your Slack profile email';
    case 'email_local_part':
      return 'the part of your Slack profile email before the @';
  }
}
