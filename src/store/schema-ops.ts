import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Slack's rate limits are per workspace, not per process: replicas share one budget here. Each row
 * counts the calls made in one fixed window of one bucket (a method, or a method and channel).
 */
export const slackRateWindows = pgTable(
  'slack_rate_windows',
  {
    bucket: text('bucket').notNull(),
    windowStart: ts('window_start').notNull(),
    used: integer('used').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] })],
);

/** A 429's Retry-After, shared so every replica pauses that bucket, not only the one that was told. */
export const slackRateBlocks = pgTable('slack_rate_blocks', {
  bucket: text('bucket').primaryKey(),
  until: ts('until').notNull(),
});

/** Signatures of Slack requests already handled, kept five minutes: a replay is dropped. */
export const seenSlackRequests = pgTable('seen_slack_requests', {
  signature: text('signature').primaryKey(),
  seenAt: ts('seen_at').notNull(),
});
