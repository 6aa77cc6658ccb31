import { describe, expect, it } from 'vitest';
import { at, HOUR, MIN, newRequest, randomId, T0, type StoreContext } from './context.js';

export function requestsSuite(ctx: StoreContext): void {
  describe('requests', () => {
    it('inserts and finds a request with every field intact', async () => {
      const store = ctx.store();
      const filed = await store.requests.insert(newRequest({ approverIds: ['U0BOB', 'U0CAT'], durationMs: 90 * 60_000 }));
      expect(filed.id).toMatch(/^[0-9a-f-]{36}$/);
      const found = await store.requests.findById(filed.id);
      expect(found).toEqual({
        ...newRequest({ approverIds: ['U0BOB', 'U0CAT'], durationMs: 90 * 60_000 }),
        id: filed.id,
        decidedAt: null,
        decidedBy: null,
        decisionReason: null,
        autoApprovedBy: null,
        kind: 'access',
        grantId: null,
        remindedAt: null,
        escalatedAt: null,
        confirmBy: null,
        confirmedBy: null,
        confirmedAt: null,
      });
      expect(found!.createdAt).toBeInstanceOf(Date);
      expect(found!.createdAt.getTime()).toBe(T0.getTime());
    });

    it('answers null for an unknown id and for a malformed one, without a database error', async () => {
      const store = ctx.store();
      expect(await store.requests.findById(randomId())).toBeNull();
      expect(await store.requests.findById("1' OR '1'='1")).toBeNull();
      expect(await store.requests.findById('')).toBeNull();
    });

    it('decides by compare-and-set: the second decide returns null and changes nothing', async () => {
      const store = ctx.store();
      const filed = await store.requests.insert(newRequest());
      const first = await store.requests.decide(filed.id, 'approved', { decidedAt: at(MIN), decidedBy: 'U0BOB', decisionReason: 'ok' });
      expect(first).toMatchObject({ status: 'approved', decidedBy: 'U0BOB', decisionReason: 'ok', decidedAt: at(MIN) });
      const second = await store.requests.decide(filed.id, 'denied', { decidedAt: at(2 * MIN), decidedBy: 'U0CAT' });
      expect(second).toBeNull();
      expect(await store.requests.findById(filed.id)).toMatchObject({ status: 'approved', decidedBy: 'U0BOB', decidedAt: at(MIN) });
    });

    it('refuses a second vote by the same approver, whatever it says', async () => {
      const store = ctx.store();
      const filed = await store.requests.insert(newRequest({ requiredApprovals: 2 }));
      const vote = { requestId: filed.id, approverId: 'U0BOB', vote: 'approve' as const, reason: null, createdAt: at(MIN) };
      expect(await store.requests.recordVote(vote)).toBe(true);
      expect(await store.requests.recordVote({ ...vote, vote: 'deny', createdAt: at(2 * MIN) })).toBe(false);
      expect(await store.requests.recordVote({ ...vote, approverId: 'U0CAT', createdAt: at(3 * MIN) })).toBe(true);
      expect(await store.requests.votes(filed.id)).toEqual([
        { requestId: filed.id, approverId: 'U0BOB', vote: 'approve', reason: null, createdAt: at(MIN) },
        { requestId: filed.id, approverId: 'U0CAT', vote: 'approve', reason: null, createdAt: at(3 * MIN) },
      ]);
    });

    it('finds the pending request of a requester for a resource, and lists by status', async () => {
      const store = ctx.store();
      const a = await store.requests.insert(newRequest({ requesterId: 'U0DAN', resource: 'r1' }));
      const b = await store.requests.insert(newRequest({ requesterId: 'U0DAN', resource: 'r2', createdAt: at(MIN) }));
      expect((await store.requests.findPending('U0DAN', 'r1'))?.id).toBe(a.id);
      expect(await store.requests.findPending('U0DAN', 'r3')).toBeNull();
      expect(await store.requests.findPending('U0EVE', 'r1')).toBeNull();
      await store.requests.decide(a.id, 'cancelled', { decidedAt: at(MIN), decidedBy: 'U0DAN' });
      expect(await store.requests.findPending('U0DAN', 'r1')).toBeNull();
      expect((await store.requests.listByRequester('U0DAN', ['pending'])).map((r) => r.id)).toEqual([b.id]);
      expect((await store.requests.listByRequester('U0DAN', ['pending', 'cancelled'])).map((r) => r.id)).toEqual([a.id, b.id]);
    });

    it('takes the requester/resource filing lock inside a transaction, more than once if need be', async () => {
      const store = ctx.store();
      const filed = await store.transaction(async (tx) => {
        await tx.requests.lockPendingSlot('U0LOCK', 'ro');
        await tx.requests.lockPendingSlot('U0LOCK', 'ro');
        await tx.requests.lockPendingSlot('U0LOCK', 'rw');
        return tx.requests.insert(newRequest({ requesterId: 'U0LOCK', resource: 'ro' }));
      });
      expect((await store.requests.findPending('U0LOCK', 'ro'))?.id).toBe(filed.id);
    });

    it('claims overdue pending requests only, oldest deadline first, bounded by the limit', async () => {
      const store = ctx.store();
      const late = await store.requests.insert(newRequest({ expiresAt: at(2 * HOUR) }));
      const later = await store.requests.insert(newRequest({ expiresAt: at(3 * HOUR) }));
      await store.requests.insert(newRequest({ expiresAt: at(5 * HOUR) })); // not yet due
      const decided = await store.requests.insert(newRequest({ expiresAt: at(HOUR) }));
      await store.requests.decide(decided.id, 'approved', { decidedAt: at(MIN), decidedBy: 'U0BOB' });

      expect(await store.requests.claimOverdue(at(HOUR), 10)).toEqual([]);
      const due = await store.transaction((tx) => tx.requests.claimOverdue(at(4 * HOUR), 10));
      expect(due.map((r) => r.id)).toEqual([late.id, later.id]);
      const bounded = await store.transaction((tx) => tx.requests.claimOverdue(at(4 * HOUR), 1));
      expect(bounded.map((r) => r.id)).toEqual([late.id]);
      // The deadline itself counts as overdue.
      expect((await store.requests.claimOverdue(at(2 * HOUR), 10)).map((r) => r.id)).toEqual([late.id]);
    });

    it('rolls back everything a failed transaction wrote', async () => {
      const store = ctx.store();
      await expect(
        store.transaction(async (tx) => {
          await tx.requests.insert(newRequest({ requesterId: 'U0ROLLBACK' }));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.requests.listByRequester('U0ROLLBACK', ['pending'])).toEqual([]);
    });
  });
}
