import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, verifyChain, type AuditEntry, type ChainedAuditEvent, type ChainVerdict } from '../../../src/domain/audit-chain.js';
import { auditRepo } from '../../../src/store/audit-repo.js';
import type { Db } from '../../../src/store/db.js';
import { at, MIN, type StoreContext } from './context.js';

function entry(n: number, data: Record<string, unknown> = { n }): AuditEntry {
  return { at: at(n * MIN), actor: 'U0ANA', action: 'request.submitted', subjectType: 'request', subjectId: `req-${n}`, data };
}

/** The trigger's refusal, as PostgreSQL reports it under drizzle's "Failed query" wrapper. */
async function expectAppendOnlyRefusal(statement: Promise<unknown>, operation: string): Promise<void> {
  const error = await statement.then(
    () => expect.unreachable(`${operation} on audit_events succeeded`),
    (e: unknown) => e as Error & { cause?: { message?: string; code?: string } },
  );
  const cause = error.cause ?? error;
  expect(cause.message).toBe(`audit_events is append-only: ${operation} is not allowed`);
  expect((cause as { code?: string }).code).toBe('42501');
}

/** Every audit event in id order, read back from the database. */
async function allEvents(ctx: StoreContext): Promise<ChainedAuditEvent[]> {
  return ctx.store().audit.page(0, 100_000);
}

export function auditSuite(ctx: StoreContext): void {
  describe('audit log', () => {
    it('appends events that form a valid hash chain from genesis, read back from the database', async () => {
      const store = ctx.store();
      const before = await allEvents(ctx);
      const appended: ChainedAuditEvent[] = [];
      for (let n = 1; n <= 4; n += 1) {
        appended.push(await store.transaction((tx) => tx.audit.append(entry(n, { n, nested: { b: [1, 'two'], a: null }, note: 'ünïcødé ✓' }))));
      }
      // Values JSON turns into strings (a Date) hash the same before and after the round trip.
      appended.push(await store.transaction((tx) => tx.audit.append(entry(5, { expiresAt: at(HOUR_MS) }))));
      expect(appended[0]!.prevHash).toBe(before.at(-1)?.hash ?? GENESIS_HASH);
      for (let i = 1; i < appended.length; i += 1) expect(appended[i]!.prevHash).toBe(appended[i - 1]!.hash);

      const events = await allEvents(ctx);
      const verdict = verifyChain(events);
      expect(verdict).toEqual({ ok: true, checked: events.length, lastHash: appended.at(-1)!.hash });
      expect(events.at(-1)).toMatchObject({ subjectId: 'req-5', data: { expiresAt: at(HOUR_MS).toISOString() } });
    });

    it('keeps no event from a transaction that rolled back, and the chain goes on from the last kept one', async () => {
      const store = ctx.store();
      const kept = await store.transaction((tx) => tx.audit.append(entry(40)));
      await expect(
        store.transaction(async (tx) => {
          await tx.audit.append(entry(41));
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      const next = await store.transaction((tx) => tx.audit.append(entry(42)));
      expect(next.prevHash).toBe(kept.hash);
      const events = await allEvents(ctx);
      expect(events.map((e) => e.subjectId)).not.toContain('req-41');
      expect(verifyChain(events).ok).toBe(true);
    });

    it('pages in id order, and a page continues verification from the previous one', async () => {
      const store = ctx.store();
      for (let n = 10; n < 13; n += 1) await store.transaction((tx) => tx.audit.append(entry(n)));
      const events = await allEvents(ctx);
      const half = Math.floor(events.length / 2);
      const firstPage = await store.audit.page(0, half);
      expect(firstPage.map((e) => e.id)).toEqual(events.slice(0, half).map((e) => e.id));
      const first = verifyChain(firstPage);
      if (!first.ok) throw new Error(first.why);
      const secondPage = await store.audit.page(firstPage.at(-1)!.id, 100_000);
      expect(verifyChain(secondPage, first.lastHash, first.checked)).toMatchObject({ ok: true, checked: events.length });
    });

    it('refuses UPDATE, DELETE and TRUNCATE on audit_events', async () => {
      const store = ctx.store();
      await store.transaction((tx) => tx.audit.append(entry(20)));
      const db = ctx.database().db;
      await expectAppendOnlyRefusal(db.execute(sql`UPDATE audit_events SET actor = 'U0EVE'`), 'UPDATE');
      await expectAppendOnlyRefusal(db.execute(sql`DELETE FROM audit_events`), 'DELETE');
      await expectAppendOnlyRefusal(db.execute(sql`TRUNCATE audit_events`), 'TRUNCATE');
      expect(verifyChain(await allEvents(ctx)).ok).toBe(true);
      expect((await allEvents(ctx)).every((e) => e.actor === 'U0ANA')).toBe(true);
    });

    it('names the edited row when someone with the power to lift the trigger changes history', async () => {
      const store = ctx.store();
      const target = await store.transaction((tx) => tx.audit.append(entry(30, { vote: 'deny' })));
      await store.transaction((tx) => tx.audit.append(entry(31)));
      let verdict: ChainVerdict | undefined;
      await expect(
        ctx.database().db.transaction(async (tx) => {
          await tx.execute(sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`);
          await tx.execute(sql`UPDATE audit_events SET data = '{"vote":"approve"}'::jsonb WHERE id = ${target.id}`);
          verdict = verifyChain(await auditRepo(tx as unknown as Db).page(0, 100_000));
          throw new Error('undo the edit');
        }),
      ).rejects.toThrow('undo the edit');
      expect(verdict).toMatchObject({ ok: false, brokenAt: target.id });
      // The edit was rolled back and the trigger is in force again.
      expect(verifyChain(await allEvents(ctx)).ok).toBe(true);
      await expectAppendOnlyRefusal(ctx.database().db.execute(sql`DELETE FROM audit_events`), 'DELETE');
    });
  });
}

const HOUR_MS = 60 * MIN;
