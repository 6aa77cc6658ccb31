import { sql } from 'drizzle-orm';
import {
  bigserial,
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const requests = pgTable(
  'requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    resource: text('resource').notNull(),
    requesterId: text('requester_id').notNull(),
    requesterEmail: text('requester_email'),
    requesterName: text('requester_name').notNull(),
    identity: text('identity').notNull(),
    durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'denied', 'cancelled', 'expired'] }).notNull(),
    requiredApprovals: integer('required_approvals').notNull(),
    approverIds: jsonb('approver_ids').$type<string[]>().notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    decidedAt: ts('decided_at'),
    decidedBy: text('decided_by'),
    decisionReason: text('decision_reason'),
    autoApprovedBy: text('auto_approved_by'),
    /** `access` asks for a new grant; `extension` extends `grantId`; `break_glass` is a self-grant. */
    kind: text('kind', { enum: ['access', 'extension', 'break_glass'] }).notNull().default('access'),
    grantId: uuid('grant_id'),
    remindedAt: ts('reminded_at'),
    escalatedAt: ts('escalated_at'),
    /** Break-glass: an owner must confirm by then, or the grant is revoked. */
    confirmBy: ts('confirm_by'),
    confirmedBy: text('confirmed_by'),
    confirmedAt: ts('confirmed_at'),
  },
  (t) => [
    index('requests_pending_expiry').on(t.expiresAt).where(sql`status = 'pending'`),
    index('requests_requester').on(t.requesterId, t.status),
  ],
);

export const approvals = pgTable(
  'approvals',
  {
    requestId: uuid('request_id')
      .notNull()
      .references(() => requests.id),
    approverId: text('approver_id').notNull(),
    vote: text('vote', { enum: ['approve', 'deny'] }).notNull(),
    reason: text('reason'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.approverId] })],
);

export const grants = pgTable(
  'grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: uuid('request_id')
      .notNull()
      .references(() => requests.id),
    resource: text('resource').notNull(),
    providerName: text('provider_name').notNull(),
    holderId: text('holder_id').notNull(),
    identity: text('identity').notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    entitlementKey: text('entitlement_key').notNull(),
    status: text('status', { enum: ['pending', 'active', 'revoking', 'revoked', 'failed'] }).notNull(),
    durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
    activatedAt: ts('activated_at'),
    expiresAt: ts('expires_at'),
    endedAt: ts('ended_at'),
    endReason: text('end_reason'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lastError: text('last_error'),
    /** When revocation began: how long it has been failing is measured from here. */
    revokingSince: ts('revoking_since'),
    /** When the security channel was told that revocation keeps failing (once per grant). */
    alertedAt: ts('alerted_at'),
    /** When the holder was told the window is about to end (once per window; an extension clears it). */
    warnedAt: ts('warned_at'),
    /** A claim on this grant's provider work; another process may take it once the lease ends. */
    leaseOwner: text('lease_owner'),
    leaseUntil: ts('lease_until'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('grants_request').on(t.requestId),
    index('grants_due').on(t.status, t.nextAttemptAt),
    index('grants_entitlement').on(t.entitlementKey, t.status),
    index('grants_holder').on(t.holderId, t.status),
  ],
);

/** Append-only and hash-chained: each row's hash covers the previous row's hash (invariant 6). */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_subject').on(t.subjectType, t.subjectId)],
);

/** Notifications committed with the state change that caused them (invariant 8). */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
    availableAt: ts('available_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    deliveredAt: ts('delivered_at'),
    leaseOwner: text('lease_owner'),
    leaseUntil: ts('lease_until'),
  },
  (t) => [index('outbox_due').on(t.availableAt).where(sql`delivered_at IS NULL`)],
);

/** Where each copy of a request's message was posted, so later changes edit it (`chat.update`). */
export const slackMessages = pgTable(
  'slack_messages',
  {
    requestId: uuid('request_id')
      .notNull()
      .references(() => requests.id),
    audience: text('audience').notNull(),
    channel: text('channel').notNull(),
    ts: text('ts').notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.audience] })],
);
