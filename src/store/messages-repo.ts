import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { slackMessages } from './schema.js';

export interface PostedMessage {
  requestId: string;
  /** Who this copy is for: `approver:U…`, `requester`. */
  audience: string;
  channel: string;
  ts: string;
}

/** Where each copy of a request's Slack message lives, so later changes edit it in place. */
export function messagesRepo(db: Db) {
  return {
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
