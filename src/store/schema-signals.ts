import { bigserial, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A person whose new requests are refused: for a period after a security signal, or with no end while
 * they are offboarded. Lifting one sets `lifted_at`; rows are kept as the record.
 */
export const principalFreezes = pgTable(
  'principal_freezes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    slackUserId: text('slack_user_id').notNull(),
    /** `signal` or `offboarding`. */
    cause: text('cause', { enum: ['signal', 'offboarding'] }).notNull(),
    reason: text('reason').notNull(),
    createdAt: ts('created_at').notNull(),
    /** Null: until lifted (offboarding). */
    until: ts('until'),
    liftedAt: ts('lifted_at'),
  },
  (t) => [index('principal_freezes_user').on(t.slackUserId)],
);

/** Every signal id ever accepted: a second delivery of the same id is a replay and is refused. */
export const signalReceipts = pgTable('signal_receipts', {
  signalId: text('signal_id').primaryKey(),
  receivedAt: ts('received_at').notNull(),
});
