import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { slackRateBlocks, slackRateWindows } from './schema-ops.js';

/** Slack's per-workspace rate limits, counted in the database so every replica draws on one budget. */
export function slackRateRepo(db: Db) {
  return {
    /**
     * Takes one call from `bucket`'s current window if fewer than `limit` were used; atomic across
     * replicas (the upsert only increments below the limit). Returns false when the window is spent.
     */
    async take(bucket: string, windowStart: Date, limit: number): Promise<boolean> {
      const rows = await db
        .insert(slackRateWindows)
        .values({ bucket, windowStart, used: 1 })
        .onConflictDoUpdate({
          target: [slackRateWindows.bucket, slackRateWindows.windowStart],
          set: { used: sql`${slackRateWindows.used} + 1` },
          setWhere: lt(slackRateWindows.used, limit),
        })
        .returning({ used: slackRateWindows.used });
      return rows.length === 1;
    },

    /** Until when Slack told us to leave this bucket alone, if that is still in the future. */
    async blockedUntil(bucket: string, now: Date): Promise<Date | null> {
      const [row] = await db.select().from(slackRateBlocks).where(and(eq(slackRateBlocks.bucket, bucket), gt(slackRateBlocks.until, now)));
      return row?.until ?? null;
    },

    async block(bucket: string, until: Date): Promise<void> {
      await db
        .insert(slackRateBlocks)
        .values({ bucket, until })
        .onConflictDoUpdate({ target: slackRateBlocks.bucket, set: { until: sql`greatest(${slackRateBlocks.until}, ${until.toISOString()}::timestamptz)` } });
    },

    /** Old windows are only history; dropping them keeps the table small. */
    async forgetBefore(before: Date): Promise<void> {
      await db.delete(slackRateWindows).where(lt(slackRateWindows.windowStart, before));
    },
  };
}

export type SlackRateRepo = ReturnType<typeof slackRateRepo>;
