import { eq, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { slackMessages } from './schema.js';

export interface PostedMessage {
  requestId: string;
  /** Who this copy is for: `approver:U…`, `requester`. */
  audience: string;
  channel: string;
  ts: string;
}

/** Advisory-lock space of per-request message locks ("kcms"); the request id is hashed into the second key. */
const MESSAGE_LOCK_SPACE = 0x6b636d73;

/** Where each copy of a request's Slack message lives, so later changes edit it in place. */
export function messagesRepo(db: Db) {
  return {
    /**
     * Inside a transaction: waits (at most a few seconds, then throws so the delivery is retried) until
     * no other transaction holds this request's messages, and holds them until this one ends.
     */
    async lock(requestId: string): Promise<void> {
      await db.execute(sql`SET LOCAL lock_timeout = '5s'`);
      await db.execute(sql`SELECT pg_advisory_xact_lock(${MESSAGE_LOCK_SPACE}, hashtext(${requestId}))`);
    },

    async save(message: PostedMessage): Promise<void> {
      await db
        .insert(slackMessages)
        .values(message)
        .onConflictDoUpdate({
          target: [slackMessages.requestId, slackMessages.audience],
          set: { channel: message.channel, ts: message.ts },
        });
    },

    async find(requestId: string, audience: string): Promise<PostedMessage | null> {
      const rows = await db.select().from(slackMessages).where(eq(slackMessages.requestId, requestId));
      return rows.find((r) => r.audience === audience) ?? null;
    },

    async listFor(requestId: string): Promise<PostedMessage[]> {
      return db.select().from(slackMessages).where(eq(slackMessages.requestId, requestId));
    },
  };
}

export type MessagesRepo = ReturnType<typeof messagesRepo>;
