import type { Principal } from '../domain/types.js';
import type { ProviderInstance } from '../policy/policy.js';
import type { IdentityRule } from '../policy/schema.js';

const DEFAULT_RULE: IdentityRule = { from: 'email_local_part' };

/**
 * A Slack user becomes a provider identity by the provider's rule; with no rule, the local part of the
 * profile email. Returns null when the rule cannot produce one (e.g. no email on the profile).
 */
export function mapIdentity(principal: Principal, rule: IdentityRule | undefined): string | null {
  return explainIdentity(principal, rule).identity;
}

/** How a person maps: the identity (or null) and whether an explicit `map` entry or the rule gave it. */
export interface IdentityExplained {
  identity: string | null;
  by: 'map' | IdentityRule['from'];
}

export function explainIdentity(principal: Principal, rule: IdentityRule | undefined): IdentityExplained {
  const effective = rule ?? DEFAULT_RULE;
  const explicit = effective.map?.[principal.slackUserId];
  if (explicit) return { identity: explicit, by: 'map' };
  return { identity: fromRule(principal, effective), by: effective.from };
}

function fromRule(principal: Principal, rule: IdentityRule): string | null {
  switch (rule.from) {
    case 'slack_user_id':
      return principal.slackUserId;
    case 'email':
      return principal.email?.toLowerCase() ?? null;
    case 'email_local_part': {
      const local = principal.email?.split('@')[0]?.toLowerCase();
      return local ? local : null;
    }
    case 'profile_field': {
      // Slack keeps what the person typed; surrounding spaces are never part of an account name.
      const value = rule.field ? principal.profileFields?.[rule.field]?.trim() : undefined;
      return value ? value : null;
    }
  }
}

export function describeIdentityRule(rule: IdentityRule | undefined, fieldLabel?: string): string {
  const effective = rule ?? DEFAULT_RULE;
  switch (effective.from) {
    case 'slack_user_id':
      return 'your Slack user id';
    case 'email':
      return 'your Slack profile email';
    case 'email_local_part':
      return 'the part of your Slack profile email before the @';
    case 'profile_field':
      return fieldLabel ? `the “${fieldLabel}” field of your Slack profile` : `the custom field ${effective.field ?? ''} of your Slack profile`;
  }
}

/** The Slack custom profile fields the policy maps identities by, so the directory loads only those. */
export function identityProfileFields(providers: Readonly<Record<string, Pick<ProviderInstance, 'identity'>>>): string[] {
  const fields = Object.values(providers).flatMap((p) => (p.identity?.from === 'profile_field' && p.identity.field ? [p.identity.field] : []));
  return [...new Set(fields)].sort();
}
