import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { outbox } from './schema.js';

export interface OutboxMessage {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export function outboxRepo(db: Db) {
  return {
    /** Called inside the transaction of the state change it reports (invariant 8). */
    async enqueue(kind: string, payload: Record<string, unknown>, now: Date): Promise<void> {
      await db.insert(outbox).values({ kind, payload, createdAt: now, availableAt: now });
    },

    /** Claims due messages in creation order under a lease; other replicas skip them. */
    async claim(options: { now: Date; owner: string; leaseMs: number; limit: number }): Promise<OutboxMessage[]> {
      const { now, owner, leaseMs, limit } = options;
      return db.transaction(async (tx) => {
        const rows = await tx
          .select({ id: outbox.id })
          .from(outbox)
          .where(
            and(
              isNull(outbox.deliveredAt),
              lte(outbox.availableAt, now),
              or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
            ),
          )
          .orderBy(asc(outbox.id))
          .limit(limit)
          .for('update', { skipLocked: true });
        if (rows.length === 0) return [];
        const claimed = await tx
          .update(outbox)
          .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) })
          .where(inArray(outbox.id, rows.map((r) => r.id)))
          .returning({ id: outbox.id, kind: outbox.kind, payload: outbox.payload, attempts: outbox.attempts });
        return claimed.sort((a, b) => a.id - b.id);
      });
    },

    async markDelivered(id: number, owner: string, now: Date): Promise<void> {
      await db
        .update(outbox)
        .set({ deliveredAt: now, leaseOwner: null, leaseUntil: null })
        .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, owner)));
    },

    /** Stops retrying a message that cannot be delivered; the row and its error stay for inspection. */
    async abandon(id: number, owner: string, now: Date, error: string): Promise<void> {
      await db
        .update(outbox)
        .set({ deliveredAt: now, lastError: `abandoned: ${error}`, attempts: sql`${outbox.attempts} + 1`, leaseOwner: null, leaseUntil: null })
        .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, owner)));
    },

    /**
     * Tries again later. A wait for Slack's rate limit is not a failed attempt (`countAttempt: false`),
     * so a long throttle can never use up a message's attempts and have it abandoned.
     */
    async reschedule(id: number, owner: string, availableAt: Date, error: string, options: { countAttempt?: boolean } = {}): Promise<void> {
      await db
        .update(outbox)
        .set({ availableAt, lastError: error, attempts: sql`${outbox.attempts} + ${options.countAttempt === false ? 0 : 1}`, leaseOwner: null, leaseUntil: null })
        .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, owner)));
    },

    async pendingCount(): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(isNull(outbox.deliveredAt));
      return Number(row?.n ?? 0);
    },
  };
}

export type OutboxRepo = ReturnType<typeof outboxRepo>;
