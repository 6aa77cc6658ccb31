import { and, asc, desc, eq, gt, gte, like, lt, or, sql, type SQL } from 'drizzle-orm';
import { auditHash, GENESIS_HASH, type AuditEntry, type ChainedAuditEvent } from '../domain/audit-chain.js';
import type { Db } from './db.js';
import { auditEvents } from './schema.js';
import { auditStreamCursors } from './schema-audit-stream.js';

/** What an export or a Slack audit query asks for; every field narrows the result. */
export interface AuditFilter {
  from?: Date;
  /** Exclusive. */
  to?: Date;
  actor?: string;
  /** An exact action, or a prefix ending in `*` (`grant.*`). */
  action?: string;
  /** A subject id (a request or grant id, a Slack user id …). */
  subject?: string;
}

/** Serialises appends so the chain has one order; held only until the transaction ends. */
const CHAIN_LOCK = 0x6b6579636172; // "keycar"

export function auditRepo(db: Db) {
  return {
    /**
     * Appends inside the caller's transaction, so the event commits with the change it records. Always
     * runs in a transaction of its own too (a savepoint when nested): outside one, the advisory lock
     * would be released at once and two appends could read the same last hash and fork the chain.
     */
    async append(entry: AuditEntry): Promise<ChainedAuditEvent> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
        const [last] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.id)).limit(1);
        const prevHash = last?.hash ?? GENESIS_HASH;
        const [row] = await tx
          .insert(auditEvents)
          .values({ ...entry, prevHash, hash: auditHash(prevHash, entry) })
          .returning();
        return row as ChainedAuditEvent;
      });
    },

    async page(afterId: number, limit: number): Promise<ChainedAuditEvent[]> {
      return (await db
        .select()
        .from(auditEvents)
        .where(gt(auditEvents.id, afterId))
        .orderBy(asc(auditEvents.id))
        .limit(limit)) as ChainedAuditEvent[];
    },

    /** Matching events after `afterId`, oldest first: an export reads the log in pages with this. */
    async query(filter: AuditFilter, afterId: number, limit: number): Promise<ChainedAuditEvent[]> {
      return (await db
        .select()
        .from(auditEvents)
        .where(and(gt(auditEvents.id, afterId), ...filterConditions(filter)))
        .orderBy(asc(auditEvents.id))
        .limit(limit)) as ChainedAuditEvent[];
    },

    /** The latest events a person did or that are about them, their requests or their grants; newest first. */
    async trailForPerson(slackUserId: string, limit: number): Promise<ChainedAuditEvent[]> {
      return (await db
        .select()
        .from(auditEvents)
        .where(
          or(
            eq(auditEvents.actor, slackUserId),
            eq(auditEvents.subjectId, slackUserId),
            sql`${auditEvents.subjectId} IN (SELECT id::text FROM requests WHERE requester_id = ${slackUserId})`,
            sql`${auditEvents.subjectId} IN (SELECT id::text FROM grants WHERE holder_id = ${slackUserId})`,
          ),
        )
        .orderBy(desc(auditEvents.id))
        .limit(limit)) as ChainedAuditEvent[];
    },

    /** The latest events about a resource's requests and grants; newest first. */
    async trailForResource(resource: string, limit: number): Promise<ChainedAuditEvent[]> {
      return (await db
        .select()
        .from(auditEvents)
        .where(
          or(
            sql`${auditEvents.subjectId} IN (SELECT id::text FROM requests WHERE resource = ${resource})`,
            sql`${auditEvents.subjectId} IN (SELECT id::text FROM grants WHERE resource = ${resource})`,
          ),
        )
        .orderBy(desc(auditEvents.id))
        .limit(limit)) as ChainedAuditEvent[];
    },

    /**
     * Claims a stream's cursor for the rest of the transaction (other replicas skip it) and returns the
     * last id it has sent; a new stream starts at the beginning of the log.
     */
    async claimStream(name: string, now: Date): Promise<number | null> {
      await db.insert(auditStreamCursors).values({ name, lastId: 0, updatedAt: now }).onConflictDoNothing();
      const [row] = await db.select().from(auditStreamCursors).where(eq(auditStreamCursors.name, name)).for('update', { skipLocked: true });
      return row ? row.lastId : null;
    },

    async advanceStream(name: string, lastId: number, now: Date): Promise<void> {
      await db.update(auditStreamCursors).set({ lastId, updatedAt: now }).where(eq(auditStreamCursors.name, name));
    },
  };
}

export type AuditRepo = ReturnType<typeof auditRepo>;

function filterConditions(filter: AuditFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.from) conditions.push(gte(auditEvents.at, filter.from));
  if (filter.to) conditions.push(lt(auditEvents.at, filter.to));
  if (filter.actor) conditions.push(eq(auditEvents.actor, filter.actor));
  if (filter.subject) conditions.push(eq(auditEvents.subjectId, filter.subject));
  if (filter.action?.endsWith('*')) {
    const prefix = filter.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
    conditions.push(like(auditEvents.action, `${prefix}%`));
  } else if (filter.action) {
    conditions.push(eq(auditEvents.action, filter.action));
  }
  return conditions;
}
