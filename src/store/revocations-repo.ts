import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { accessRevocations } from './schema-reviews.js';

export type RevocationRow = typeof accessRevocations.$inferSelect;
export type NewRevocation = Pick<RevocationRow, 'source' | 'sourceId' | 'providerName' | 'resource' | 'identity' | 'spec' | 'createdAt'>;

/**
 * Standing access to remove at a provider, worked like grant expiry (invariant 5): claimed under a
 * lease, retried with backoff, and `done` only once the provider confirms.
 */
export function revocationsRepo(db: Db) {
  return {
    /** Idempotent per source (a review item or drift finding is revoked once). One JSON parameter per batch. */
    async insertMany(rows: NewRevocation[]): Promise<void> {
      if (rows.length === 0) return;
      const payload = JSON.stringify(
        rows.map((r) => ({ source: r.source, source_id: r.sourceId, provider_name: r.providerName, resource: r.resource, identity: r.identity, spec: r.spec, created_at: r.createdAt })),
      );
      await db.execute(sql`
        INSERT INTO access_revocations (source, source_id, provider_name, resource, identity, spec, status, next_attempt_at, created_at)
        SELECT r.source, r.source_id, r.provider_name, r.resource, r.identity, r.spec, 'pending', r.created_at, r.created_at
        FROM jsonb_to_recordset(${payload}::jsonb) AS r(source text, source_id text, provider_name text, resource text, identity text, spec jsonb, created_at timestamptz)
        ON CONFLICT (source, source_id) DO NOTHING`);
    },

    async claimDue(options: { now: Date; owner: string; leaseMs: number; limit: number }): Promise<RevocationRow[]> {
      const { now, owner, leaseMs, limit } = options;
      return db.transaction(async (tx) => {
        const rows = await tx
          .select({ id: accessRevocations.id })
          .from(accessRevocations)
          .where(
            and(
              eq(accessRevocations.status, 'pending'),
              lte(accessRevocations.nextAttemptAt, now),
              or(isNull(accessRevocations.leaseUntil), lt(accessRevocations.leaseUntil, now)),
            ),
          )
          .orderBy(asc(accessRevocations.nextAttemptAt))
          .limit(limit)
          .for('update', { skipLocked: true });
        if (rows.length === 0) return [];
        return tx
          .update(accessRevocations)
          .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) })
          .where(inArray(accessRevocations.id, rows.map((r) => r.id)))
          .returning();
      });
    },

    /** The provider confirmed; only the current claimant may say so. */
    async markDone(id: string, owner: string, at: Date): Promise<RevocationRow | null> {
      const [row] = await db
        .update(accessRevocations)
        .set({ status: 'done', doneAt: at, lastError: null, leaseOwner: null, leaseUntil: null })
        .where(and(eq(accessRevocations.id, id), eq(accessRevocations.status, 'pending'), eq(accessRevocations.leaseOwner, owner)))
        .returning();
      return row ?? null;
    },

    async recordFailedAttempt(id: string, owner: string, error: string, nextAttemptAt: Date): Promise<RevocationRow | null> {
      const [row] = await db
        .update(accessRevocations)
        .set({ lastError: error, nextAttemptAt, leaseOwner: null, leaseUntil: null, attempts: sql`${accessRevocations.attempts} + 1` })
        .where(and(eq(accessRevocations.id, id), eq(accessRevocations.leaseOwner, owner)))
        .returning();
      return row ?? null;
    },

    async findBySource(source: RevocationRow['source'], sourceId: string): Promise<RevocationRow | null> {
      const [row] = await db.select().from(accessRevocations).where(and(eq(accessRevocations.source, source), eq(accessRevocations.sourceId, sourceId)));
      return row ?? null;
    },
  };
}

export type RevocationsRepo = ReturnType<typeof revocationsRepo>;
