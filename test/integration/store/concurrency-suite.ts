import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, verifyChain } from '../../../src/domain/audit-chain.js';
import { openDatabase, type Database } from '../../../src/store/db.js';
import { createStore, type Store } from '../../../src/store/store.js';
import { at, MIN, pendingGrant, type StoreContext } from './context.js';

/**
 * Replicas share one PostgreSQL (invariant 7): claims from separate connection pools never overlap and
 * concurrent audit appends still make one chain. PostgreSQL only: PGlite has one connection.
 */
export function concurrencySuite(ctx: StoreContext & { url(): string }): void {
  describe('several replicas on one database', () => {
    it('never hands the same grant to two claimers', async () => {
      const replicas: Database[] = [await openDatabase({ url: ctx.url(), dataDir: 'unused' }), await openDatabase({ url: ctx.url(), dataDir: 'unused' })];
      try {
        const store = ctx.store();
        const ids = new Set<string>();
        for (let i = 0; i < 60; i += 1) ids.add((await pendingGrant(store)).id);
        const stores: Store[] = replicas.map(createStore);
        const claimedBy = new Map<string, string[]>();
        // Four claimers per replica, each on its own connection, claiming small batches until nothing is left.
        const claimers = stores.flatMap((s, r) =>
          [0, 1, 2, 3].map(async (c) => {
            const owner = `replica${r}-claimer${c}`;
            for (;;) {
              const batch = await s.grants.claimDue('activate', { now: at(MIN), owner, leaseMs: 10 * MIN, limit: 3 });
              if (batch.length === 0) return;
              for (const grant of batch) claimedBy.set(grant.id, [...(claimedBy.get(grant.id) ?? []), owner]);
            }
          }),
        );
        await Promise.all(claimers);
        expect([...claimedBy.keys()].sort()).toEqual([...ids].sort());
        expect([...claimedBy.values()].filter((owners) => owners.length > 1)).toEqual([]);
        expect(new Set([...claimedBy.values()].map((o) => o[0]!.split('-')[0])).size).toBe(2);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    });

    it('keeps one valid audit chain when replicas append at the same time', async () => {
      const replicas = [await openDatabase({ url: ctx.url(), dataDir: 'unused' }), await openDatabase({ url: ctx.url(), dataDir: 'unused' })];
      try {
        const stores = replicas.map(createStore);
        await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            stores[i % 2]!.transaction((tx) =>
              tx.audit.append({ at: at(i), actor: 'system', action: 'test.concurrent', subjectType: 'system', subjectId: `c${i}`, data: { i } }),
            ),
          ),
        );
        const events = await ctx.store().audit.page(0, 100_000);
        expect(events.filter((e) => e.action === 'test.concurrent')).toHaveLength(30);
        expect(verifyChain(events, GENESIS_HASH)).toMatchObject({ ok: true, checked: events.length });
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    });

    it('keeps one chain even when appends are made outside a transaction', async () => {
      const store = ctx.store();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.audit.append({ at: at(i), actor: 'system', action: 'test.autocommit', subjectType: 'system', subjectId: `a${i}`, data: { i } }),
        ),
      );
      const events = await store.audit.page(0, 100_000);
      expect(events.filter((e) => e.action === 'test.autocommit')).toHaveLength(20);
      expect(verifyChain(events, GENESIS_HASH)).toMatchObject({ ok: true, checked: events.length });
    });
  });
}
