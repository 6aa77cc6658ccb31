import { chooseReviewer, provenanceOf, type LatestGrant } from '../domain/review-rules.js';
import type { Resource } from '../policy/policy.js';
import type { IdentityRule } from '../policy/schema.js';
import type { NewReviewItem } from '../store/review-items-repo.js';
import type { ReviewerPool } from './review-people.js';

/** What Keycard knows about one batch of holders, read in a few queries. */
export interface HolderEvidence {
  latest: ReadonlyMap<string, LatestGrant & { holderId: string }>;
  /** Provider identity → Slack user, from any grant on the provider. */
  holders: ReadonlyMap<string, string>;
  /** Slack user → manager (Slack user), where the directory knows it. */
  managers: ReadonlyMap<string, string>;
}

/**
 * The Slack user behind a provider identity: the latest grant of this access, else any grant on the
 * provider, else the provider's explicit identity map read backwards, else the identity itself when the
 * provider maps people by Slack user id. Null (unknown person) otherwise.
 */
export function holderOf(identity: string, evidence: Pick<HolderEvidence, 'latest' | 'holders'>, rule: IdentityRule | undefined): string | null {
  const known = evidence.latest.get(identity)?.holderId ?? evidence.holders.get(identity);
  if (known) return known;
  const mapped = Object.entries(rule?.map ?? {}).find(([, mappedIdentity]) => mappedIdentity === identity)?.[0];
  if (mapped) return mapped;
  if (rule?.from === 'slack_user_id' && /^[UW][A-Z0-9]+$/.test(identity)) return identity;
  return null;
}

/** One review item per holder: provenance, evidence and reviewer. Pure, so assignment is unit-tested. */
export function reviewItemRows(options: {
  campaignId: string;
  resource: Resource;
  identities: readonly string[];
  evidence: HolderEvidence;
  identityRule: IdentityRule | undefined;
  pool: ReviewerPool;
}): NewReviewItem[] {
  const { campaignId, resource, identities, evidence, identityRule, pool } = options;
  return identities.map((identity) => {
    const latest = evidence.latest.get(identity) ?? null;
    const holderId = holderOf(identity, evidence, identityRule);
    const manager = pool.byManager && holderId ? evidence.managers.get(holderId) : undefined;
    const reviewerId = chooseReviewer(`${resource.name}|${identity}`, holderId, [manager ? [manager] : [], pool.byRule, pool.owners, pool.admins]);
    return {
      campaignId,
      resource: resource.name,
      providerName: resource.providerName,
      identity,
      spec: resource.grant,
      holderId,
      provenance: provenanceOf(identity, resource.baseline, latest),
      grantId: latest?.id ?? null,
      grantedAt: latest?.grantedAt ?? null,
      grantedBy: latest?.approvedBy ?? null,
      grantReason: latest?.reason ?? null,
      grantEndedAt: latest?.endedAt ?? null,
      reviewerId,
    };
  });
}
