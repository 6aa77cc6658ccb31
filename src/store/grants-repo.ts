import { and, asc, eq, gt, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Grant, GrantStatus } from '../domain/types.js';
import type { Db } from './db.js';
import { isUuid } from './requests-repo.js';
import { grants } from './schema.js';

export type NewGrant = Pick<
  Grant,
  'requestId' | 'resource' | 'providerName' | 'holderId' | 'identity' | 'spec' | 'entitlementKey' | 'durationMs' | 'createdAt'
>;

/** Which provider work a claim is for. */
export type GrantWork = 'activate' | 'revoke';

export function grantsRepo(db: Db) {
  const leaseFree = (now: Date) => or(isNull(grants.leaseUntil), lt(grants.leaseUntil, now));

  return {
    async insert(grant: NewGrant): Promise<Grant> {
      const [row] = await db
        .insert(grants)
        .values({ ...grant, status: 'pending', nextAttemptAt: grant.createdAt })
        .returning();
      return row!;
    },

    async findById(id: string): Promise<Grant | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(grants).where(eq(grants.id, id));
      return row ?? null;
    },

    async findByRequest(requestId: string): Promise<Grant | null> {
      const [row] = await db.select().from(grants).where(eq(grants.requestId, requestId));
      return row ?? null;
    },

    /** People holding active grants, in id order after `after` (keyset paging for periodic re-checks). */
    async activeHolders(after: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectDistinct({ holderId: grants.holderId })
        .from(grants)
        .where(and(eq(grants.status, 'active'), gt(grants.holderId, after)))
        .orderBy(asc(grants.holderId))
        .limit(limit);
      return rows.map((r) => r.holderId);
    },

    async listByHolder(holderId: string, statuses: GrantStatus[]): Promise<Grant[]> {
      return db
        .select()
        .from(grants)
        .where(and(eq(grants.holderId, holderId), inArray(grants.status, statuses)))
        .orderBy(asc(grants.expiresAt));
    },

    /**
     * Claims up to `limit` grants with provider work due, under a lease (invariant 7). Rows another
     * process holds are skipped; a claim whose holder died is taken over once its lease ends.
     */
    async claimDue(work: GrantWork, options: { now: Date; owner: string; leaseMs: number; limit: number }): Promise<Grant[]> {
      const { now, owner, leaseMs, limit } = options;
      const due =
        work === 'activate'
          ? and(eq(grants.status, 'pending'), lte(grants.nextAttemptAt, now))
          : or(
              and(eq(grants.status, 'active'), lte(grants.expiresAt, now)),
              and(eq(grants.status, 'revoking'), lte(grants.nextAttemptAt, now)),
            );
      return db.transaction(async (tx) => {
        const rows = await tx
          .select({ id: grants.id })
          .from(grants)
          .where(and(due, leaseFree(now)))
          .orderBy(asc(grants.nextAttemptAt))
          .limit(limit)
          .for('update', { skipLocked: true });
        if (rows.length === 0) return [];
        return tx
          .update(grants)
          .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) })
          .where(inArray(grants.id, rows.map((r) => r.id)))
          .returning();
      });
    },

    /** Compare-and-set on status, and on the lease when one is named: a stale claimant changes nothing. */
    async transition(
      id: string,
      from: GrantStatus,
      to: GrantStatus,
      fields: Partial<Pick<Grant, 'activatedAt' | 'expiresAt' | 'endedAt' | 'endReason' | 'lastError' | 'nextAttemptAt' | 'revokingSince'>>,
      owner?: string,
    ): Promise<Grant | null> {
      const [row] = await db
        .update(grants)
        .set({ status: to, ...fields, ...(owner ? { leaseOwner: null, leaseUntil: null } : {}) })
        .where(and(eq(grants.id, id), eq(grants.status, from), owner ? eq(grants.leaseOwner, owner) : undefined))
        .returning();
      return row ?? null;
    },

    /** Moves an active grant's end, compare-and-set on the end it had, so two extensions cannot both apply. */
    async extend(id: string, from: Date, to: Date): Promise<Grant | null> {
      const [row] = await db
        .update(grants)
        .set({ expiresAt: to, nextAttemptAt: to, warnedAt: null })
        .where(and(eq(grants.id, id), eq(grants.status, 'active'), eq(grants.expiresAt, from)))
        .returning();
      return row ?? null;
    },

    /** Ends an active grant now: the revoke job takes it from `revoking` and calls the provider. */
    async endNow(id: string, reason: string, now: Date): Promise<Grant | null> {
      const [row] = await db
        .update(grants)
        .set({ status: 'revoking', endReason: reason, nextAttemptAt: now, revokingSince: now })
        .where(and(eq(grants.id, id), eq(grants.status, 'active')))
        .returning();
      return row ?? null;
    },

    /** How many grants are in each state, and how many revocations have been alerted as stuck. */
    async countByStatus(): Promise<{ byStatus: Record<string, number>; stuck: number }> {
      const rows = await db
        .select({ status: grants.status, n: sql<number>`count(*)::int`, stuck: sql<number>`count(*) FILTER (WHERE ${grants.alertedAt} IS NOT NULL)::int` })
        .from(grants)
        .groupBy(grants.status);
      return {
        byStatus: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
        stuck: rows.filter((r) => r.status === 'revoking').reduce((sum, r) => sum + Number(r.stuck), 0),
      };
    },

    /** Active grants ending before `until` whose holder has not been warned; long enough to be worth a warning. */
    async listEndingSoon(now: Date, until: Date, minDurationMs: number, limit: number): Promise<Grant[]> {
      return db
        .select()
        .from(grants)
        .where(and(eq(grants.status, 'active'), isNull(grants.warnedAt), gt(grants.expiresAt, now), lte(grants.expiresAt, until), gt(grants.durationMs, minDurationMs)))
        .orderBy(asc(grants.expiresAt))
        .limit(limit);
    },

    /** Stamps the expiry warning once per window (compare-and-set on the stamp being empty). */
    async markWarned(id: string, now: Date): Promise<boolean> {
      const rows = await db.update(grants).set({ warnedAt: now }).where(and(eq(grants.id, id), eq(grants.status, 'active'), isNull(grants.warnedAt))).returning({ id: grants.id });
      return rows.length === 1;
    },

    /** Stamps the revocation alert once (compare-and-set on the stamp being empty). */
    async markAlerted(id: string, now: Date): Promise<boolean> {
      const rows = await db.update(grants).set({ alertedAt: now }).where(and(eq(grants.id, id), isNull(grants.alertedAt))).returning({ id: grants.id });
      return rows.length === 1;
    },

    /** Grants whose id starts with `prefix` (ids are shown shortened to people). */
    async findByIdPrefix(prefix: string, limit = 2): Promise<Grant[]> {
      if (!/^[0-9a-f-]{4,36}$/i.test(prefix)) return [];
      return db.select().from(grants).where(sql`${grants.id}::text LIKE ${`${prefix.toLowerCase()}%`}`).limit(limit);
    },

    /** A failed attempt: count it, remember why, release the claim and say when to try again. */
    async recordFailedAttempt(id: string, owner: string, error: string, nextAttemptAt: Date): Promise<Grant | null> {
      const [row] = await db
        .update(grants)
        .set({ lastError: error, nextAttemptAt, leaseOwner: null, leaseUntil: null, attempts: sqlIncrement() })
        .where(and(eq(grants.id, id), eq(grants.leaseOwner, owner)))
        .returning();
      return row ?? null;
    },

    /**
     * Another grant still covering the same entitlement past `now` (invariant 5): an active one, or —
     * with `includeActivating` — one whose activation is in flight (pending under a live lease).
     */
    async findCovering(grant: Pick<Grant, 'id' | 'entitlementKey'>, now: Date, options: { includeActivating?: boolean } = {}): Promise<Grant | null> {
      const active = and(eq(grants.status, 'active'), gt(grants.expiresAt, now));
      const activating = and(eq(grants.status, 'pending'), gt(grants.leaseUntil, now));
      const [row] = await db
        .select()
        .from(grants)
        .where(and(eq(grants.entitlementKey, grant.entitlementKey), ne(grants.id, grant.id), options.includeActivating ? or(active, activating) : active))
        .limit(1);
      return row ?? null;
    },
  };
}

function sqlIncrement() {
  return sql`${grants.attempts} + 1`;
}

export type GrantsRepo = ReturnType<typeof grantsRepo>;
