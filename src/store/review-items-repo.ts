import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { ReviewCounts, ReviewDecision } from '../domain/review-types.js';
import type { Db } from './db.js';
import { reviewItems } from './schema-reviews.js';

export type ReviewItemRow = typeof reviewItems.$inferSelect;
export type NewReviewItem = Omit<ReviewItemRow, 'id' | 'status' | 'decision' | 'decidedBy' | 'decidedAt' | 'unanswered' | 'escalated' | 'revokedAt'>;

/** Review items: one per holder of a resource in a campaign. Reads are paged; nothing loads a whole campaign. */
export function reviewItemsRepo(db: Db) {
  const ofReviewer = (campaignId: string, reviewerId: string | null) =>
    and(eq(reviewItems.campaignId, campaignId), reviewerId === null ? undefined : eq(reviewItems.reviewerId, reviewerId));

  return {
    /**
     * Inserts one batch; rows already there (a resumed build) are skipped. Returns how many were new.
     * The batch travels as one JSON parameter: a thousand rows of thirteen columns as separate bind
     * parameters cost ten times as long to send and plan.
     */
    async insertMany(rows: NewReviewItem[]): Promise<number> {
      if (rows.length === 0) return 0;
      const payload = JSON.stringify(
        rows.map((r) => ({
          campaign_id: r.campaignId,
          resource: r.resource,
          provider_name: r.providerName,
          identity: r.identity,
          spec: r.spec,
          holder_id: r.holderId,
          provenance: r.provenance,
          grant_id: r.grantId,
          granted_at: r.grantedAt,
          granted_by: r.grantedBy,
          grant_reason: r.grantReason,
          grant_ended_at: r.grantEndedAt,
          reviewer_id: r.reviewerId,
        })),
      );
      const result = await db.execute(sql`
        INSERT INTO review_items (campaign_id, resource, provider_name, identity, spec, holder_id, provenance, grant_id, granted_at, granted_by, grant_reason, grant_ended_at, reviewer_id, status)
        SELECT r.campaign_id, r.resource, r.provider_name, r.identity, r.spec, r.holder_id, r.provenance, r.grant_id, r.granted_at, r.granted_by, r.grant_reason, r.grant_ended_at, r.reviewer_id, 'pending'
        FROM jsonb_to_recordset(${payload}::jsonb) AS r(
          campaign_id uuid, resource text, provider_name text, identity text, spec jsonb, holder_id text, provenance text,
          grant_id uuid, granted_at timestamptz, granted_by text, grant_reason text, grant_ended_at timestamptz, reviewer_id text)
        ON CONFLICT (campaign_id, resource, identity) DO NOTHING
        RETURNING id`);
      // postgres.js answers with the rows, PGlite with { rows }.
      return (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows).length;
    },

    async findById(id: number): Promise<ReviewItemRow | null> {
      const [row] = await db.select().from(reviewItems).where(eq(reviewItems.id, id));
      return row ?? null;
    },

    /** Locks the items for the rest of the transaction, in id order (so two clickers never deadlock). */
    async lockMany(ids: number[]): Promise<ReviewItemRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(reviewItems).where(inArray(reviewItems.id, ids)).orderBy(asc(reviewItems.id)).for('update');
    },

    /** Counts for a campaign, or for one reviewer's share of it. */
    async counts(campaignId: string, reviewerId: string | null = null): Promise<ReviewCounts> {
      const [row] = await db
        .select({
          total: sql<number>`count(*)::int`,
          pending: sql<number>`count(*) FILTER (WHERE ${reviewItems.status} = 'pending')::int`,
          kept: sql<number>`count(*) FILTER (WHERE ${reviewItems.status} = 'kept')::int`,
          revoking: sql<number>`count(*) FILTER (WHERE ${reviewItems.status} = 'revoking')::int`,
          revoked: sql<number>`count(*) FILTER (WHERE ${reviewItems.status} = 'revoked')::int`,
          unanswered: sql<number>`count(*) FILTER (WHERE ${reviewItems.unanswered})::int`,
        })
        .from(reviewItems)
        .where(ofReviewer(campaignId, reviewerId));
      const n = (v: unknown) => Number(v ?? 0);
      return { total: n(row?.total), pending: n(row?.pending), kept: n(row?.kept), revoking: n(row?.revoking), revoked: n(row?.revoked), unanswered: n(row?.unanswered) };
    },

    /** Counts per resource, for the report. */
    async countsByResource(campaignId: string): Promise<Array<{ resource: string } & ReviewCounts>> {
      const rows = await db
        .select({
          resource: reviewItems.resource,
          total: sql<number>`count(*)::int`,
          pending: sql<number>`count(*) FILTER (WHERE ${reviewItems.status} = 'pending')::int`,
          kept: sql<number>`count(*) FILTER (WHERE ${reviewItems.status} = 'kept')::int`,
          revoking: sql<number>`count(*) FILTER (WHERE ${reviewItems.status} = 'revoking')::int`,
          revoked: sql<number>`count(*) FILTER (WHERE ${reviewItems.status} = 'revoked')::int`,
          unanswered: sql<number>`count(*) FILTER (WHERE ${reviewItems.unanswered})::int`,
        })
        .from(reviewItems)
        .where(eq(reviewItems.campaignId, campaignId))
        .groupBy(reviewItems.resource)
        .orderBy(asc(reviewItems.resource));
      return rows.map((r) => ({ resource: r.resource, total: Number(r.total), pending: Number(r.pending), kept: Number(r.kept), revoking: Number(r.revoking), revoked: Number(r.revoked), unanswered: Number(r.unanswered) }));
    },

    /** One page of a reviewer's items, oldest first. */
    async page(campaignId: string, reviewerId: string, page: number, pageSize: number): Promise<ReviewItemRow[]> {
      return db
        .select()
        .from(reviewItems)
        .where(ofReviewer(campaignId, reviewerId))
        .orderBy(asc(reviewItems.id))
        .limit(pageSize)
        .offset(page * pageSize);
    },

    /** Compare-and-set out of `pending`: false when someone (or the deadline) decided first. */
    async decide(id: number, decision: ReviewDecision, fields: { decidedBy: string; decidedAt: Date; unanswered: boolean }): Promise<ReviewItemRow | null> {
      const [row] = await db
        .update(reviewItems)
        .set({ decision, status: decision === 'keep' ? 'kept' : 'revoking', ...fields })
        .where(and(eq(reviewItems.id, id), eq(reviewItems.status, 'pending')))
        .returning();
      return row ?? null;
    },

    /**
     * Decides up to `limit` undecided items by the campaign's `on_no_response`, in one statement: the
     * rows are claimed with SKIP LOCKED, so replicas (and a reviewer's click in flight) never collide.
     */
    async decideUnanswered(campaignId: string, decision: ReviewDecision, at: Date, limit: number): Promise<ReviewItemRow[]> {
      const claimed = db
        .select({ id: reviewItems.id })
        .from(reviewItems)
        .where(and(eq(reviewItems.campaignId, campaignId), eq(reviewItems.status, 'pending')))
        .orderBy(asc(reviewItems.id))
        .limit(limit)
        .for('update', { skipLocked: true });
      return db
        .update(reviewItems)
        .set({ decision, status: decision === 'keep' ? 'kept' : 'revoking', decidedBy: 'system', decidedAt: at, unanswered: true })
        .where(and(inArray(reviewItems.id, claimed), eq(reviewItems.status, 'pending')))
        .returning();
    },

    /** Pending items this reviewer holds in open campaigns (a leaver's are handed on). */
    async pendingOfReviewer(reviewerId: string, limit: number): Promise<ReviewItemRow[]> {
      return db
        .select()
        .from(reviewItems)
        .where(
          and(
            eq(reviewItems.reviewerId, reviewerId),
            eq(reviewItems.status, 'pending'),
            sql`${reviewItems.campaignId} IN (SELECT id FROM review_campaigns WHERE status = 'open')`,
          ),
        )
        .orderBy(asc(reviewItems.id))
        .limit(limit);
    },

    /** Hands items to another reviewer (escalation). */
    async reassign(ids: number[], reviewerId: string | null): Promise<void> {
      if (ids.length === 0) return;
      await db.update(reviewItems).set({ reviewerId, escalated: true }).where(and(inArray(reviewItems.id, ids), eq(reviewItems.status, 'pending')));
    },

    /** Pending items not yet escalated, in id order after `afterId`. */
    async pendingNotEscalated(campaignId: string, afterId: number, limit: number): Promise<ReviewItemRow[]> {
      return db
        .select()
        .from(reviewItems)
        .where(and(eq(reviewItems.campaignId, campaignId), eq(reviewItems.status, 'pending'), eq(reviewItems.escalated, false), gt(reviewItems.id, afterId)))
        .orderBy(asc(reviewItems.id))
        .limit(limit);
    },

    /** The revocation was confirmed by the provider. */
    async markRevoked(id: number, at: Date): Promise<ReviewItemRow | null> {
      const [row] = await db
        .update(reviewItems)
        .set({ status: 'revoked', revokedAt: at })
        .where(and(eq(reviewItems.id, id), eq(reviewItems.status, 'revoking')))
        .returning();
      return row ?? null;
    },

    /** Reviewers of a campaign in id order after `after` (keyset paging); only those with pending items when asked. */
    async reviewers(campaignId: string, options: { after: string; limit: number; pendingOnly: boolean }): Promise<string[]> {
      const rows = await db
        .selectDistinct({ reviewerId: reviewItems.reviewerId })
        .from(reviewItems)
        .where(
          and(
            eq(reviewItems.campaignId, campaignId),
            sql`${reviewItems.reviewerId} > ${options.after}`,
            options.pendingOnly ? eq(reviewItems.status, 'pending') : undefined,
          ),
        )
        .orderBy(asc(reviewItems.reviewerId))
        .limit(options.limit);
      return rows.map((r) => r.reviewerId!).filter(Boolean);
    },

    async countUnassigned(campaignId: string): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(reviewItems).where(and(eq(reviewItems.campaignId, campaignId), isNull(reviewItems.reviewerId)));
      return Number(row?.n ?? 0);
    },

    /** Items in id order after `afterId`, for streaming exports. */
    async after(campaignId: string, afterId: number, limit: number): Promise<ReviewItemRow[]> {
      return db
        .select()
        .from(reviewItems)
        .where(and(eq(reviewItems.campaignId, campaignId), gt(reviewItems.id, afterId)))
        .orderBy(asc(reviewItems.id))
        .limit(limit);
    },
  };
}

export type ReviewItemsRepo = ReturnType<typeof reviewItemsRepo>;
