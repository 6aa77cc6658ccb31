import { lt } from 'drizzle-orm';
import type { Db } from './db.js';
import { seenSlackRequests } from './schema-ops.js';

/** Slack requests already handled (by signature, or by event id for redeliveries), kept minutes, not forever. */
export function seenRequestsRepo(db: Db) {
  return {
    /** True the first time a key is seen; false for a replay (the primary key refuses a second). */
    async firstSighting(key: string, now: Date): Promise<boolean> {
      const rows = await db.insert(seenSlackRequests).values({ signature: key, seenAt: now }).onConflictDoNothing().returning({ key: seenSlackRequests.signature });
      return rows.length === 1;
    },

    async forgetBefore(before: Date): Promise<void> {
      await db.delete(seenSlackRequests).where(lt(seenSlackRequests.seenAt, before));
    },
  };
}

export type SeenRequestsRepo = ReturnType<typeof seenRequestsRepo>;
