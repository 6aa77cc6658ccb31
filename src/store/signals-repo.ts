import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from './db.js';
import { principalFreezes, signalReceipts } from './schema-signals.js';

export type Freeze = typeof principalFreezes.$inferSelect;
export type FreezeCause = Freeze['cause'];

/** Freezes on new requests, and the ids of signals already received (replay protection). */
export function signalsRepo(db: Db) {
  return {
    /** False when this signal id was received before: a replay. */
    async recordReceipt(signalId: string, now: Date): Promise<boolean> {
      const rows = await db.insert(signalReceipts).values({ signalId, receivedAt: now }).onConflictDoNothing().returning();
      return rows.length === 1;
    },

    async freeze(freeze: { slackUserId: string; cause: FreezeCause; reason: string; until: Date | null }, now: Date): Promise<Freeze> {
      const [row] = await db.insert(principalFreezes).values({ ...freeze, createdAt: now }).returning();
      return row!;
    },

    /** The freeze in force for this person now, the one with no end (offboarding) first, else the latest end. */
    async activeFreeze(slackUserId: string, now: Date): Promise<Freeze | null> {
      const rows = await db
        .select()
        .from(principalFreezes)
        .where(and(eq(principalFreezes.slackUserId, slackUserId), isNull(principalFreezes.liftedAt), or(isNull(principalFreezes.until), gt(principalFreezes.until, now))))
        .orderBy(desc(principalFreezes.until));
      return rows.find((r) => r.until === null) ?? rows[0] ?? null;
    },

    /** Lifts the freezes of one cause (a reactivated person's offboarding freeze); returns how many. */
    async lift(slackUserId: string, cause: FreezeCause, now: Date): Promise<number> {
      const rows = await db
        .update(principalFreezes)
        .set({ liftedAt: now })
        .where(and(eq(principalFreezes.slackUserId, slackUserId), eq(principalFreezes.cause, cause), isNull(principalFreezes.liftedAt)))
        .returning({ id: principalFreezes.id });
      return rows.length;
    },
  };
}

export type SignalsRepo = ReturnType<typeof signalsRepo>;
