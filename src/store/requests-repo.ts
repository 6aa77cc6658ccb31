import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { AccessRequest, Approval, RequestStatus, Vote } from '../domain/types.js';
import type { Db } from './db.js';
import { approvals, requests } from './schema.js';

export type NewRequest = Omit<
  AccessRequest,
  'id' | 'decidedAt' | 'decidedBy' | 'decisionReason' | 'autoApprovedBy' | 'kind' | 'grantId' | 'remindedAt' | 'escalatedAt' | 'confirmBy' | 'confirmedBy' | 'confirmedAt'
> &
  Partial<Pick<AccessRequest, 'kind' | 'grantId' | 'confirmBy'>>;

/** Requests and their votes: one aggregate. */
export function requestsRepo(db: Db) {
  return {
    async insert(request: NewRequest): Promise<AccessRequest> {
      const [row] = await db.insert(requests).values(request).returning();
      return row!;
    },

    async findById(id: string): Promise<AccessRequest | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(requests).where(eq(requests.id, id));
      return row ?? null;
    },

    /** Locks the row for the rest of the transaction, so votes on one request are counted one at a time. */
    async lockById(id: string): Promise<AccessRequest | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(requests).where(eq(requests.id, id)).for('update');
      return row ?? null;
    },

    /**
     * Compare-and-set out of `pending` (invariant 2): returns the updated request, or null when another
     * decision got there first.
     */
    async decide(
      id: string,
      to: Exclude<RequestStatus, 'pending'>,
      fields: { decidedAt: Date; decidedBy: string | null; decisionReason?: string | null; autoApprovedBy?: string | null },
    ): Promise<AccessRequest | null> {
      const [row] = await db
        .update(requests)
        .set({ status: to, ...fields })
        .where(and(eq(requests.id, id), eq(requests.status, 'pending')))
        .returning();
      return row ?? null;
    },

    async listByRequester(requesterId: string, statuses: RequestStatus[]): Promise<AccessRequest[]> {
      return db
        .select()
        .from(requests)
        .where(and(eq(requests.requesterId, requesterId), inArray(requests.status, statuses)))
        .orderBy(asc(requests.createdAt));
    },

    async findPending(requesterId: string, resource: string): Promise<AccessRequest | null> {
      const [row] = await db
        .select()
        .from(requests)
        .where(
          and(eq(requests.requesterId, requesterId), eq(requests.resource, resource), eq(requests.status, 'pending')),
        )
        .limit(1);
      return row ?? null;
    },

    /**
     * Serialises filing for one requester and resource until the transaction ends, so two submissions at
     * the same moment cannot both pass the duplicate check (PostgreSQL's default isolation lets them).
     */
    async lockPendingSlot(requesterId: string, resource: string): Promise<void> {
      await db.execute(sql`SELECT pg_advisory_xact_lock(${PENDING_SLOT_LOCK}, hashtext(${requesterId} || '/' || ${resource}))`);
    },

    async countByStatus(): Promise<Record<string, number>> {
      const rows = await db.select({ status: requests.status, n: sql<number>`count(*)::int` }).from(requests).groupBy(requests.status);
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },

    async findByIdPrefix(prefix: string, limit = 2): Promise<AccessRequest[]> {
      if (!/^[0-9a-f-]{4,36}$/i.test(prefix)) return [];
      return db.select().from(requests).where(sql`${requests.id}::text LIKE ${`${prefix.toLowerCase()}%`}`).limit(limit);
    },

    /** Pending requests that have waited since before `waitedSince` and were not yet reminded/escalated. */
    async listWaiting(field: 'remindedAt' | 'escalatedAt', resources: string[], waitedSince: Date, limit: number): Promise<AccessRequest[]> {
      if (resources.length === 0) return [];
      return db
        .select()
        .from(requests)
        .where(and(eq(requests.status, 'pending'), inArray(requests.resource, resources), isNull(requests[field]), lte(requests.createdAt, waitedSince)))
        .orderBy(asc(requests.createdAt))
        .limit(limit)
        .for('update', { skipLocked: true });
    },

    /** Stamps a reminder or escalation once (compare-and-set on the stamp being empty). */
    async stamp(id: string, field: 'remindedAt' | 'escalatedAt', at: Date, approverIds?: string[]): Promise<AccessRequest | null> {
      const [row] = await db
        .update(requests)
        .set({ [field]: at, ...(approverIds ? { approverIds } : {}) })
        .where(and(eq(requests.id, id), eq(requests.status, 'pending'), isNull(requests[field])))
        .returning();
      return row ?? null;
    },

    /** Break-glass requests whose confirmation deadline has passed unconfirmed. */
    async listUnconfirmedBreakGlass(now: Date, limit: number): Promise<AccessRequest[]> {
      return db
        .select()
        .from(requests)
        .where(and(eq(requests.kind, 'break_glass'), isNull(requests.confirmedAt), lte(requests.confirmBy, now)))
        .orderBy(asc(requests.confirmBy))
        .limit(limit);
    },

    /** The deadline has been acted on (the grant revoked); clearing it keeps the job from acting twice. */
    async lapseConfirmation(id: string): Promise<AccessRequest | null> {
      const [row] = await db
        .update(requests)
        .set({ confirmBy: null })
        .where(and(eq(requests.id, id), isNull(requests.confirmedAt)))
        .returning();
      return row ?? null;
    },

    async confirm(id: string, by: string, at: Date): Promise<AccessRequest | null> {
      const [row] = await db
        .update(requests)
        .set({ confirmedBy: by, confirmedAt: at })
        .where(and(eq(requests.id, id), eq(requests.kind, 'break_glass'), isNull(requests.confirmedAt)))
        .returning();
      return row ?? null;
    },

    /** Pending requests past their deadline, locked and skipped by other replicas (invariant 7). */
    async claimOverdue(now: Date, limit: number): Promise<AccessRequest[]> {
      return db
        .select()
        .from(requests)
        .where(and(eq(requests.status, 'pending'), lte(requests.expiresAt, now)))
        .orderBy(asc(requests.expiresAt))
        .limit(limit)
        .for('update', { skipLocked: true });
    },

    /** Records a vote; false when this approver already voted (the primary key refuses a second). */
    async recordVote(vote: { requestId: string; approverId: string; vote: Vote; reason: string | null; createdAt: Date }): Promise<boolean> {
      const rows = await db.insert(approvals).values(vote).onConflictDoNothing().returning();
      return rows.length === 1;
    },

    async votes(requestId: string): Promise<Approval[]> {
      return db.select().from(approvals).where(eq(approvals.requestId, requestId)).orderBy(asc(approvals.createdAt));
    },

    /** Pending requests this person may approve, locked for the transaction (offboarding reassigns them). */
    async lockPendingWithApprover(approverId: string): Promise<AccessRequest[]> {
      return db
        .select()
        .from(requests)
        .where(and(eq(requests.status, 'pending'), sql`${requests.approverIds} @> ${JSON.stringify([approverId])}::jsonb`))
        .orderBy(asc(requests.createdAt))
        .for('update');
    },

    async replaceApprovers(id: string, approverIds: string[]): Promise<AccessRequest | null> {
      const [row] = await db
        .update(requests)
        .set({ approverIds })
        .where(and(eq(requests.id, id), eq(requests.status, 'pending')))
        .returning();
      return row ?? null;
    },

    /** Slack ids that filed requests with this email (how a directory person is found when Slack cannot say). */
    async requesterIdsByEmail(email: string): Promise<string[]> {
      const rows = await db
        .selectDistinct({ id: requests.requesterId })
        .from(requests)
        .where(sql`lower(${requests.requesterEmail}) = lower(${email})`);
      return rows.map((r) => r.id);
    },
  };
}

export type RequestsRepo = ReturnType<typeof requestsRepo>;

/** Lock class for `lockPendingSlot`; the two-key advisory lock space never overlaps the one-key space. */
const PENDING_SLOT_LOCK = 0x6b63; // "kc"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids arrive from outside (buttons, commands); a malformed one is "not found", never a database error. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
