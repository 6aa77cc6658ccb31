import { and, desc, eq, gte, inArray, ne, or, sql } from 'drizzle-orm';
import type { LatestGrant } from '../domain/review-rules.js';
import type { Db } from './db.js';
import { grants, requests } from './schema.js';
import { accessRevocations, reviewItems } from './schema-reviews.js';

/**
 * What Keycard knows about who holds an entitlement and why, read from grants and requests in batches.
 * An entitlement is a provider plus the grant block (`spec`); resources that grant the same block share it.
 */
export function reviewEvidenceRepo(db: Db) {
  // A batch of identities travels as one JSON parameter rather than a thousand bind parameters.
  const amongIdentities = (column: typeof grants.identity | typeof reviewItems.identity, identities: string[]) =>
    sql`${column} IN (SELECT jsonb_array_elements_text(${JSON.stringify(identities)}::jsonb))`;
  const sameSpec = (column: typeof grants.spec | typeof reviewItems.spec | typeof accessRevocations.spec, spec: Record<string, unknown>) =>
    sql`${column} = ${JSON.stringify(spec)}::jsonb`;

  return {
    /** The latest Keycard grant of this entitlement per identity (a live one first), with who approved it and why. */
    async latestGrants(providerName: string, spec: Record<string, unknown>, identities: string[]): Promise<Map<string, LatestGrant & { holderId: string }>> {
      if (identities.length === 0) return new Map();
      const rows = await db
        .selectDistinctOn([grants.identity], {
          identity: grants.identity,
          id: grants.id,
          holderId: grants.holderId,
          status: grants.status,
          activatedAt: grants.activatedAt,
          createdAt: grants.createdAt,
          endedAt: grants.endedAt,
          decidedBy: requests.decidedBy,
          autoApprovedBy: requests.autoApprovedBy,
          reason: requests.reason,
        })
        .from(grants)
        .innerJoin(requests, eq(requests.id, grants.requestId))
        .where(and(eq(grants.providerName, providerName), amongIdentities(grants.identity, identities), sameSpec(grants.spec, spec), ne(grants.status, 'failed')))
        .orderBy(grants.identity, sql`(${grants.status} IN ('pending', 'active', 'revoking')) DESC`, desc(grants.createdAt));
      return new Map(
        rows.map((r) => [
          r.identity,
          {
            id: r.id,
            holderId: r.holderId,
            status: r.status,
            grantedAt: r.activatedAt ?? r.createdAt,
            approvedBy: r.autoApprovedBy ? `policy:${r.autoApprovedBy}` : r.decidedBy,
            reason: r.reason,
            endedAt: r.endedAt,
          },
        ]),
      );
    },

    /** The Slack user behind each provider identity, from any grant on that provider (newest wins). */
    async holdersOf(providerName: string, identities: string[]): Promise<Map<string, string>> {
      if (identities.length === 0) return new Map();
      const rows = await db
        .selectDistinctOn([grants.identity], { identity: grants.identity, holderId: grants.holderId })
        .from(grants)
        .where(and(eq(grants.providerName, providerName), amongIdentities(grants.identity, identities)))
        .orderBy(grants.identity, desc(grants.createdAt));
      return new Map(rows.map((r) => [r.identity, r.holderId]));
    },

    /** Active Keycard grants of exactly this access (same provider, identity and grant block). */
    async activeGrantIds(entitlementKey: string): Promise<string[]> {
      const rows = await db
        .select({ id: grants.id })
        .from(grants)
        .where(and(eq(grants.entitlementKey, entitlementKey), eq(grants.status, 'active')));
      return rows.map((r) => r.id);
    },

    /**
     * Identities Keycard expects to hold the entitlement: live grants, and grants or revocations that
     * ended since `since` (read before the provider was asked, so a change in between is not drift).
     */
    async expectedIdentities(providerName: string, spec: Record<string, unknown>, since: Date): Promise<Set<string>> {
      const granted = await db
        .selectDistinct({ identity: grants.identity })
        .from(grants)
        .where(
          and(
            eq(grants.providerName, providerName),
            sameSpec(grants.spec, spec),
            or(inArray(grants.status, ['pending', 'active', 'revoking']), gte(grants.endedAt, since)),
          ),
        );
      const removing = await db
        .selectDistinct({ identity: accessRevocations.identity })
        .from(accessRevocations)
        .where(
          and(
            eq(accessRevocations.providerName, providerName),
            sameSpec(accessRevocations.spec, spec),
            or(eq(accessRevocations.status, 'pending'), gte(accessRevocations.doneAt, since)),
          ),
        );
      return new Set([...granted, ...removing].map((r) => r.identity));
    },

    /** Of these identities, those whose latest review kept this access (certified standing access). */
    async certified(providerName: string, spec: Record<string, unknown>, identities: string[]): Promise<Set<string>> {
      if (identities.length === 0) return new Set();
      const latest = await db
        .selectDistinctOn([reviewItems.identity], { identity: reviewItems.identity, status: reviewItems.status })
        .from(reviewItems)
        .where(and(eq(reviewItems.providerName, providerName), amongIdentities(reviewItems.identity, identities), sameSpec(reviewItems.spec, spec)))
        .orderBy(reviewItems.identity, desc(reviewItems.id));
      return new Set(latest.filter((r) => r.status === 'kept').map((r) => r.identity));
    },
  };
}

export type ReviewEvidenceRepo = ReturnType<typeof reviewEvidenceRepo>;
