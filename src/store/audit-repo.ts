import { asc, desc, gt, sql } from 'drizzle-orm';
import { auditHash, GENESIS_HASH, type AuditEntry, type ChainedAuditEvent } from '../domain/audit-chain.js';
import type { Db } from './db.js';
import { auditEvents } from './schema.js';

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
  };
}

export type AuditRepo = ReturnType<typeof auditRepo>;
