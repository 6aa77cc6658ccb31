import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { isUuid } from './requests-repo.js';
import { driftFindings, driftRuns } from './schema-reviews.js';

export type DriftRunRow = typeof driftRuns.$inferSelect;
export type DriftFindingRow = typeof driftFindings.$inferSelect;
export type NewDriftFinding = Pick<DriftFindingRow, 'runId' | 'resource' | 'providerName' | 'identity' | 'spec' | 'holderId' | 'action' | 'status' | 'foundAt' | 'lastSeenAt'>;

/** Drift checks (one run per window) and what they found. */
export function driftRepo(db: Db) {
  return {
    /** Null when this window already ran (or is running) elsewhere: the unique key claims it. */
    async claimWindow(windowKey: string, now: Date): Promise<DriftRunRow | null> {
      const [row] = await db.insert(driftRuns).values({ windowKey, startedAt: now }).onConflictDoNothing({ target: driftRuns.windowKey }).returning();
      return row ?? null;
    },

    async finishRun(id: string, fields: Pick<DriftRunRow, 'finishedAt' | 'checked' | 'found' | 'resolved' | 'errors'>): Promise<void> {
      await db.update(driftRuns).set(fields).where(eq(driftRuns.id, id));
    },

    /** Findings still open (reported, or being removed) for a resource. */
    async openFor(resource: string): Promise<DriftFindingRow[]> {
      return db
        .select()
        .from(driftFindings)
        .where(and(eq(driftFindings.resource, resource), inArray(driftFindings.status, ['open', 'revoking'])))
        .orderBy(asc(driftFindings.identity));
    },

    /** Inserts new findings; one already open for the same holder wins (the partial unique index). */
    async insertMany(rows: NewDriftFinding[]): Promise<DriftFindingRow[]> {
      if (rows.length === 0) return [];
      return db
        .insert(driftFindings)
        .values(rows)
        .onConflictDoNothing({ target: [driftFindings.resource, driftFindings.identity], where: sql`status IN ('open', 'revoking')` })
        .returning();
    },

    async touch(ids: string[], now: Date): Promise<void> {
      if (ids.length === 0) return;
      await db.update(driftFindings).set({ lastSeenAt: now }).where(inArray(driftFindings.id, ids));
    },

    /** The holder no longer holds it, or it became expected: the finding ends without a revocation. */
    async resolve(id: string, now: Date, reason: string): Promise<DriftFindingRow | null> {
      const [row] = await db
        .update(driftFindings)
        .set({ status: 'resolved', endedAt: now, endReason: reason })
        .where(and(eq(driftFindings.id, id), eq(driftFindings.status, 'open')))
        .returning();
      return row ?? null;
    },

    async markRevoked(id: string, now: Date): Promise<DriftFindingRow | null> {
      const [row] = await db
        .update(driftFindings)
        .set({ status: 'revoked', endedAt: now, endReason: 'revoked (on_drift: revoke)' })
        .where(and(eq(driftFindings.id, id), eq(driftFindings.status, 'revoking')))
        .returning();
      return row ?? null;
    },

    async findingsOf(runId: string, resource: string, limit: number): Promise<DriftFindingRow[]> {
      if (!isUuid(runId)) return [];
      return db
        .select()
        .from(driftFindings)
        .where(and(eq(driftFindings.runId, runId), eq(driftFindings.resource, resource)))
        .orderBy(asc(driftFindings.identity))
        .limit(limit);
    },

    async countOf(runId: string, resource: string): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(driftFindings).where(and(eq(driftFindings.runId, runId), eq(driftFindings.resource, resource)));
      return Number(row?.n ?? 0);
    },
  };
}

export type DriftRepo = ReturnType<typeof driftRepo>;
