import type { Principal } from '../domain/types.js';
import type { IdentityRule } from '../policy/schema.js';
import { explainIdentity, type IdentityExplained } from '../providers/identity.js';
import type { ServiceDeps } from './deps.js';
import { listRequestable } from './list-requestable.js';

/** Who one person is on one provider instance, and how Keycard worked it out. */
export interface ProviderIdentity {
  provider: string;
  kind: string;
  /** Null when the provider's rule gives nothing for this person (they cannot request its resources). */
  identity: string | null;
  by: IdentityExplained['by'];
  rule: IdentityRule | undefined;
  /** The Slack label of the profile field the rule reads, when it reads one and Slack told us. */
  fieldLabel: string | null;
  /** Resources on this provider the person may request. */
  requestable: string[];
}

export interface MyIdentities {
  principal: Principal;
  providers: ProviderIdentity[];
  /** Keycard admins (`settings.admins`), who can add an explicit mapping. */
  admins: string[];
}

/**
 * `/access whoami`: for every provider instance in the policy, the identity this person maps to and by
 * which rule, or that they map to none. Reads only; nothing is written.
 */
export async function describeMyIdentities(deps: Pick<ServiceDeps, 'policy' | 'directory' | 'logger'>, slackUserId: string): Promise<MyIdentities> {
  const { policy, directory } = deps;
  const [principal, requestable] = await Promise.all([directory.principal(slackUserId), listRequestable(deps, slackUserId)]);
  const labels = await fieldLabels(deps);
  const providers = Object.values(policy.providers)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((instance): ProviderIdentity => {
      const { identity, by } = explainIdentity(principal, instance.identity);
      const field = instance.identity?.from === 'profile_field' ? instance.identity.field : undefined;
      return {
        provider: instance.name,
        kind: instance.kind,
        identity,
        by,
        rule: instance.identity,
        fieldLabel: (field && labels.get(field)) ?? null,
        requestable: requestable.filter((r) => r.providerName === instance.name).map((r) => r.name),
      };
    });
  return { principal, providers, admins: policy.admins };
}

/** Field labels only matter when a provider maps by a profile field; without them the view names the id. */
async function fieldLabels(deps: Pick<ServiceDeps, 'policy' | 'directory' | 'logger'>): Promise<Map<string, string>> {
  const needed = Object.values(deps.policy.providers).some((p) => p.identity?.from === 'profile_field');
  if (!needed || !deps.directory.profileFieldLabels) return new Map();
  return deps.directory.profileFieldLabels().catch((error: unknown) => {
    deps.logger.warn({ err: (error as Error).message }, 'could not read Slack profile field labels (team.profile.get)');
    return new Map<string, string>();
  });
}
