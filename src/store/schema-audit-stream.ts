import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** How far each audit stream (stdout, a SIEM webhook) has read the log, so a restart resumes, not repeats. */
export const auditStreamCursors = pgTable('audit_stream_cursors', {
  name: text('name').primaryKey(),
  lastId: bigint('last_id', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
});
