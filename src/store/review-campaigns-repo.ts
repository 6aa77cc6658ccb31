import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { isUuid } from './requests-repo.js';
import { reviewCampaigns } from './schema-reviews.js';

export type CampaignRow = typeof reviewCampaigns.$inferSelect;
export type NewCampaign = Pick<
  CampaignRow,
  'reviewName' | 'windowKey' | 'trigger' | 'startedBy' | 'resources' | 'reviewer' | 'onNoResponse' | 'reportChannel' | 'createdAt' | 'dueAt' | 'remindEveryMs'
>;

type CampaignFields = Partial<
  Pick<CampaignRow, 'openedAt' | 'nextReminderAt' | 'dueAppliedAt' | 'escalatedAt' | 'decidedAt' | 'closedAt' | 'itemCount' | 'lastError'>
>;

/** Review campaigns. Every transition is compare-and-set, so replicas never apply one step twice (invariant 7). */
export function reviewCampaignsRepo(db: Db) {
  const leaseFree = (now: Date) => or(isNull(reviewCampaigns.leaseUntil), lt(reviewCampaigns.leaseUntil, now));
  // Written out with table-qualified names: drizzle renders columns unqualified inside `sql`, and an
  // unqualified "id" in the subquery would mean review_items.id.
  const hasItemsIn = (statuses: string[], extra = sql``) =>
    sql`EXISTS (SELECT 1 FROM review_items ri WHERE ri.campaign_id = review_campaigns.id AND ri.status IN (${sql.join(
      statuses.map((s) => sql`${s}`),
      sql`, `,
    )})${extra})`;

  return {
    /** Null when this review already has a campaign for the window: another replica (or an earlier run) started it. */
    async insertIfAbsent(campaign: NewCampaign): Promise<CampaignRow | null> {
      const [row] = await db
        .insert(reviewCampaigns)
        .values({ ...campaign, status: 'creating' })
        .onConflictDoNothing({ target: [reviewCampaigns.reviewName, reviewCampaigns.windowKey] })
        .returning();
      return row ?? null;
    },

    async findById(id: string): Promise<CampaignRow | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(reviewCampaigns).where(eq(reviewCampaigns.id, id));
      return row ?? null;
    },

    /** Holds the row against due/close transitions while a decision is recorded. */
    async lockForDecision(id: string): Promise<CampaignRow | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(reviewCampaigns).where(eq(reviewCampaigns.id, id)).for('share');
      return row ?? null;
    },

    /** A campaign of this review still being built or taking decisions. */
    async findRunning(reviewName: string): Promise<CampaignRow | null> {
      const [row] = await db
        .select()
        .from(reviewCampaigns)
        .where(and(eq(reviewCampaigns.reviewName, reviewName), inArray(reviewCampaigns.status, ['creating', 'open'])))
        .limit(1);
      return row ?? null;
    },

    async listRecent(limit: number): Promise<CampaignRow[]> {
      return db.select().from(reviewCampaigns).orderBy(sql`${reviewCampaigns.createdAt} DESC`).limit(limit);
    },

    /** Claims one campaign whose holders still need reading, under a lease. */
    async claimCreating(options: { now: Date; owner: string; leaseMs: number }): Promise<CampaignRow | null> {
      const { now, owner, leaseMs } = options;
      return db.transaction(async (tx) => {
        const [free] = await tx
          .select({ id: reviewCampaigns.id })
          .from(reviewCampaigns)
          .where(and(eq(reviewCampaigns.status, 'creating'), leaseFree(now)))
          .orderBy(asc(reviewCampaigns.createdAt))
          .limit(1)
          .for('update', { skipLocked: true });
        if (!free) return null;
        const [row] = await tx
          .update(reviewCampaigns)
          .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) })
          .where(eq(reviewCampaigns.id, free.id))
          .returning();
        return row ?? null;
      });
    },

    /** Extends our claim while a long build goes on; false when it was lost (another process took over). */
    async renewLease(id: string, owner: string, until: Date): Promise<boolean> {
      const rows = await db
        .update(reviewCampaigns)
        .set({ leaseUntil: until })
        .where(and(eq(reviewCampaigns.id, id), eq(reviewCampaigns.leaseOwner, owner), eq(reviewCampaigns.status, 'creating')))
        .returning({ id: reviewCampaigns.id });
      return rows.length === 1;
    },

    /** A failed build step: remember why and leave the claim closed until `retryAt` (backoff). */
    async deferBuild(id: string, owner: string, error: string, retryAt: Date): Promise<void> {
      await db
        .update(reviewCampaigns)
        .set({ lastError: error, leaseOwner: null, leaseUntil: retryAt })
        .where(and(eq(reviewCampaigns.id, id), eq(reviewCampaigns.leaseOwner, owner)));
    },

    /** Compare-and-set on status (and on our lease when `owner` is given). */
    async transition(id: string, from: CampaignRow['status'], to: CampaignRow['status'], fields: CampaignFields, owner?: string): Promise<CampaignRow | null> {
      const [row] = await db
        .update(reviewCampaigns)
        .set({ status: to, ...fields, ...(owner ? { leaseOwner: null, leaseUntil: null } : {}) })
        .where(and(eq(reviewCampaigns.id, id), eq(reviewCampaigns.status, from), owner ? eq(reviewCampaigns.leaseOwner, owner) : undefined))
        .returning();
      return row ?? null;
    },

    async update(id: string, fields: CampaignFields): Promise<void> {
      await db.update(reviewCampaigns).set(fields).where(eq(reviewCampaigns.id, id));
    },

    /** Open campaigns whose next reminder is due. */
    async listRemindersDue(now: Date, limit: number): Promise<CampaignRow[]> {
      return db
        .select()
        .from(reviewCampaigns)
        .where(and(eq(reviewCampaigns.status, 'open'), isNotNull(reviewCampaigns.nextReminderAt), lte(reviewCampaigns.nextReminderAt, now)))
        .orderBy(asc(reviewCampaigns.nextReminderAt))
        .limit(limit);
    },

    /** Moves the reminder on from the one we saw; false when another process sent this round. */
    async advanceReminder(id: string, seen: Date, next: Date | null): Promise<CampaignRow | null> {
      const [row] = await db
        .update(reviewCampaigns)
        .set({ nextReminderAt: next, remindersSent: sql`${reviewCampaigns.remindersSent} + 1` })
        .where(and(eq(reviewCampaigns.id, id), eq(reviewCampaigns.nextReminderAt, seen), eq(reviewCampaigns.status, 'open')))
        .returning();
      return row ?? null;
    },

    /** Open campaigns past due whose `on_no_response` has not been applied yet. */
    async listPastDue(now: Date, limit: number): Promise<CampaignRow[]> {
      return db
        .select()
        .from(reviewCampaigns)
        .where(and(eq(reviewCampaigns.status, 'open'), lte(reviewCampaigns.dueAt, now), isNull(reviewCampaigns.dueAppliedAt)))
        .orderBy(asc(reviewCampaigns.dueAt))
        .limit(limit);
    },

    /** Applies `on_no_response` once: compare-and-set on `due_applied_at`, so one replica does it. */
    async markDue(id: string, to: 'open' | 'closing', fields: CampaignFields): Promise<CampaignRow | null> {
      const [row] = await db
        .update(reviewCampaigns)
        .set({ status: to, ...fields })
        .where(and(eq(reviewCampaigns.id, id), eq(reviewCampaigns.status, 'open'), isNull(reviewCampaigns.dueAppliedAt)))
        .returning();
      return row ?? null;
    },

    /** Escalated campaigns with undecided items not yet handed up (the work is done in batches, across runs). */
    async listEscalating(limit: number): Promise<CampaignRow[]> {
      return db
        .select()
        .from(reviewCampaigns)
        .where(
          and(
            eq(reviewCampaigns.status, 'open'),
            isNotNull(reviewCampaigns.escalatedAt),
            hasItemsIn(['pending'], sql` AND NOT ri.escalated`),
          ),
        )
        .limit(limit);
    },

    /** Campaigns past due with items still to default (the work is done in batches, across runs). */
    async listDefaulting(limit: number): Promise<CampaignRow[]> {
      return db
        .select()
        .from(reviewCampaigns)
        .where(and(eq(reviewCampaigns.status, 'closing'), isNotNull(reviewCampaigns.dueAppliedAt), ne(reviewCampaigns.onNoResponse, 'escalate'), hasItemsIn(['pending'])))
        .limit(limit);
    },

    /** Campaigns whose items are all decided (open → closing) or all settled (closing → closed). */
    async listSettled(limit: number): Promise<Array<CampaignRow & { revoking: boolean }>> {
      const rows = await db
        .select({ campaign: reviewCampaigns, revoking: hasItemsIn(['revoking']).mapWith(Boolean) })
        .from(reviewCampaigns)
        .where(and(inArray(reviewCampaigns.status, ['open', 'closing']), sql`NOT ${hasItemsIn(['pending'])}`))
        .limit(limit);
      return rows.map((r) => ({ ...r.campaign, revoking: r.revoking }));
    },
  };
}

export type ReviewCampaignsRepo = ReturnType<typeof reviewCampaignsRepo>;
