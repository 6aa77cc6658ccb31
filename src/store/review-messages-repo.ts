import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { outbox } from './schema.js';
import { reviewMessages } from './schema-reviews.js';

export type ReviewMessageRow = typeof reviewMessages.$inferSelect;

/** Where review messages were posted, so later changes edit them in place and a retried delivery never posts twice. */
export function reviewMessagesRepo(db: Db) {
  return {
    async find(subject: string, audience: string): Promise<ReviewMessageRow | null> {
      const [row] = await db.select().from(reviewMessages).where(and(eq(reviewMessages.subject, subject), eq(reviewMessages.audience, audience)));
      return row ?? null;
    },

    async save(message: ReviewMessageRow): Promise<void> {
      await db
        .insert(reviewMessages)
        .values(message)
        .onConflictDoUpdate({ target: [reviewMessages.subject, reviewMessages.audience], set: { channel: message.channel, ts: message.ts } });
    },

    /**
     * Remembers which page a reviewer looks at. The row may not exist yet (the first post is still in
     * the outbox): then it is created with a placeholder and the first delivery posts that page.
     */
    async setPage(subject: string, audience: string, page: number): Promise<void> {
      await db
        .insert(reviewMessages)
        .values({ subject, audience, channel: '', ts: '', page })
        .onConflictDoUpdate({ target: [reviewMessages.subject, reviewMessages.audience], set: { page } });
    },

    /**
     * Asks for each reviewer's message to be redrawn, unless a redraw is already waiting and unclaimed.
     * A waiting one is locked until this transaction ends, so no deliverer can render it before this
     * change commits: it will show this change too. A burst of clicks becomes one chat.update.
     */
    async enqueueReviewerUpdates(campaignId: string, reviewerIds: readonly string[], now: Date): Promise<void> {
      const wanted = [...new Set(reviewerIds)];
      if (wanted.length === 0) return;
      const waiting = await db
        .select({ reviewerId: sql<string>`${outbox.payload} ->> 'reviewerId'` })
        .from(outbox)
        .where(
          and(
            eq(outbox.kind, 'review.message'),
            isNull(outbox.deliveredAt),
            or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
            sql`${outbox.payload} ->> 'campaignId' = ${campaignId}`,
            sql`${outbox.payload} ->> 'reviewerId' IN (SELECT jsonb_array_elements_text(${JSON.stringify(wanted)}::jsonb))`,
          ),
        )
        .for('update', { skipLocked: true });
      const covered = new Set(waiting.map((w) => w.reviewerId));
      const missing = wanted.filter((id) => !covered.has(id));
      if (missing.length === 0) return;
      await db.insert(outbox).values(missing.map((reviewerId) => ({ kind: 'review.message', payload: { campaignId, reviewerId }, createdAt: now, availableAt: now })));
    },
  };
}

export type ReviewMessagesRepo = ReturnType<typeof reviewMessagesRepo>;
