import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** Access reviews (certifications), their revocations, and drift between providers and Keycard. */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const reviewCampaigns = pgTable(
  'review_campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reviewName: text('review_name').notNull(),
    windowKey: text('window_key').notNull(),
    trigger: text('trigger', { enum: ['schedule', 'manual'] }).notNull(),
    startedBy: text('started_by').notNull(),
    status: text('status', { enum: ['creating', 'open', 'closing', 'closed'] }).notNull(),
    resources: jsonb('resources').$type<string[]>().notNull(),
    reviewer: text('reviewer').notNull(),
    onNoResponse: text('on_no_response', { enum: ['revoke', 'keep', 'escalate'] }).notNull(),
    reportChannel: text('report_channel'),
    createdAt: ts('created_at').notNull(),
    openedAt: ts('opened_at'),
    dueAt: ts('due_at').notNull(),
    remindEveryMs: bigint('remind_every_ms', { mode: 'number' }),
    nextReminderAt: ts('next_reminder_at'),
    remindersSent: integer('reminders_sent').notNull().default(0),
    dueAppliedAt: ts('due_applied_at'),
    escalatedAt: ts('escalated_at'),
    decidedAt: ts('decided_at'),
    closedAt: ts('closed_at'),
    itemCount: integer('item_count').notNull().default(0),
    lastError: text('last_error'),
    /** A claim on building the campaign (reading holders); another process takes over once it ends. */
    leaseOwner: text('lease_owner'),
    leaseUntil: ts('lease_until'),
  },
  (t) => [
    // One campaign per review per schedule window: the insert that wins this index starts it (invariant 7).
    uniqueIndex('review_campaigns_window').on(t.reviewName, t.windowKey),
    index('review_campaigns_status').on(t.status),
  ],
);

export const reviewItems = pgTable(
  'review_items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => reviewCampaigns.id),
    resource: text('resource').notNull(),
    providerName: text('provider_name').notNull(),
    identity: text('identity').notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    holderId: text('holder_id'),
    provenance: text('provenance', { enum: ['grant', 'baseline', 'unknown'] }).notNull(),
    grantId: uuid('grant_id'),
    grantedAt: ts('granted_at'),
    grantedBy: text('granted_by'),
    grantReason: text('grant_reason'),
    grantEndedAt: ts('grant_ended_at'),
    reviewerId: text('reviewer_id'),
    status: text('status', { enum: ['pending', 'kept', 'revoking', 'revoked'] }).notNull(),
    decision: text('decision', { enum: ['keep', 'revoke'] }),
    decidedBy: text('decided_by'),
    decidedAt: ts('decided_at'),
    unanswered: boolean('unanswered').notNull().default(false),
    escalated: boolean('escalated').notNull().default(false),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    // Re-reading a resource's holders after a crash inserts nothing twice.
    uniqueIndex('review_items_holder').on(t.campaignId, t.resource, t.identity),
    index('review_items_reviewer').on(t.campaignId, t.reviewerId, t.id),
    index('review_items_status').on(t.campaignId, t.status),
  ],
);

/** Where each review-related Slack message was posted (`subject` = campaign or drift report), for chat.update. */
export const reviewMessages = pgTable(
  'review_messages',
  {
    subject: text('subject').notNull(),
    /** `reviewer:U…`, `reminder:3:U…`, `report:channel` … */
    audience: text('audience').notNull(),
    channel: text('channel').notNull(),
    ts: text('ts').notNull(),
    /** The page of items this reviewer's message shows. */
    page: integer('page').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.subject, t.audience] })],
);

/**
 * Standing access to remove at a provider (a review's Revoke, or drift under `on_drift: revoke`). Worked
 * like grant expiry: claimed under a lease, retried with backoff until the provider confirms.
 */
export const accessRevocations = pgTable(
  'access_revocations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    source: text('source', { enum: ['review', 'drift'] }).notNull(),
    sourceId: text('source_id').notNull(),
    providerName: text('provider_name').notNull(),
    resource: text('resource').notNull(),
    identity: text('identity').notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'done'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lastError: text('last_error'),
    leaseOwner: text('lease_owner'),
    leaseUntil: ts('lease_until'),
    createdAt: ts('created_at').notNull(),
    doneAt: ts('done_at'),
  },
  (t) => [
    uniqueIndex('access_revocations_source').on(t.source, t.sourceId),
    index('access_revocations_due').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('access_revocations_target').on(t.providerName, t.identity),
  ],
);

/** One reconcile per window: the insert that wins the unique key runs it (invariant 7). */
export const driftRuns = pgTable('drift_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  windowKey: text('window_key').notNull().unique(),
  startedAt: ts('started_at').notNull(),
  finishedAt: ts('finished_at'),
  checked: integer('checked').notNull().default(0),
  found: integer('found').notNull().default(0),
  resolved: integer('resolved').notNull().default(0),
  errors: jsonb('errors').$type<string[]>().notNull().default([]),
});

export const driftFindings = pgTable(
  'drift_findings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => driftRuns.id),
    resource: text('resource').notNull(),
    providerName: text('provider_name').notNull(),
    identity: text('identity').notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    holderId: text('holder_id'),
    action: text('action', { enum: ['report', 'revoke'] }).notNull(),
    status: text('status', { enum: ['open', 'revoking', 'revoked', 'resolved'] }).notNull(),
    foundAt: ts('found_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    endedAt: ts('ended_at'),
    endReason: text('end_reason'),
  },
  (t) => [
    // An unexpected holder is reported once while it lasts, not on every run.
    uniqueIndex('drift_findings_open').on(t.resource, t.identity).where(sql`status IN ('open', 'revoking')`),
    index('drift_findings_run').on(t.runId, t.resource),
  ],
);
