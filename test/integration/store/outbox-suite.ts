import { describe, expect, it } from 'vitest';
import { at, MIN, newRequest, T0, type StoreContext } from './context.js';

const LEASE = MIN;

export function outboxSuite(ctx: StoreContext): void {
  describe('outbox', () => {
    it('claims due messages in creation order under a lease', async () => {
      const store = ctx.store();
      await store.outbox.enqueue('request.submitted', { requestId: 'r1' }, T0);
      await store.outbox.enqueue('request.decided', { requestId: 'r1' }, at(1));
      await store.outbox.enqueue('grant.activated', { grantId: 'g1' }, at(MIN)); // not yet available
      expect(await store.outbox.pendingCount()).toBe(3);

      expect(await store.outbox.claim({ now: at(-1), owner: 'w1', leaseMs: LEASE, limit: 10 })).toEqual([]);
      const claimed = await store.outbox.claim({ now: at(1), owner: 'w1', leaseMs: LEASE, limit: 10 });
      expect(claimed.map(({ kind, payload, attempts }) => ({ kind, payload, attempts }))).toEqual([
        { kind: 'request.submitted', payload: { requestId: 'r1' }, attempts: 0 },
        { kind: 'request.decided', payload: { requestId: 'r1' }, attempts: 0 },
      ]);
      expect(claimed[0]!.id).toBeLessThan(claimed[1]!.id);

      // Another replica skips them while the lease holds, and takes them over once it has passed.
      expect((await store.outbox.claim({ now: at(LEASE), owner: 'w2', leaseMs: LEASE, limit: 10 })).map((m) => m.kind)).toEqual(['grant.activated']);
      expect((await store.outbox.claim({ now: at(LEASE + 2), owner: 'w2', leaseMs: LEASE, limit: 10 })).map((m) => m.id)).toEqual(
        claimed.map((m) => m.id),
      );
    });

    it('respects the limit', async () => {
      const store = ctx.store();
      for (let i = 0; i < 5; i += 1) await store.outbox.enqueue('request.progress', { i }, T0);
      const first = await store.outbox.claim({ now: T0, owner: 'w1', leaseMs: LEASE, limit: 2 });
      expect(first.map((m) => m.payload.i)).toEqual([0, 1]);
      const next = await store.outbox.claim({ now: T0, owner: 'w2', leaseMs: LEASE, limit: 10 });
      expect(next.map((m) => m.payload.i)).toEqual([2, 3, 4]);
    });

    it('marks a message delivered only for the lease owner, and never delivers it again', async () => {
      const store = ctx.store();
      await store.outbox.enqueue('request.submitted', { requestId: 'r1' }, T0);
      const [message] = await store.outbox.claim({ now: T0, owner: 'w1', leaseMs: LEASE, limit: 1 });
      await store.outbox.markDelivered(message!.id, 'w2', at(1));
      expect(await store.outbox.pendingCount()).toBe(1);
      await store.outbox.markDelivered(message!.id, 'w1', at(1));
      expect(await store.outbox.pendingCount()).toBe(0);
      expect(await store.outbox.claim({ now: at(10 * LEASE), owner: 'w3', leaseMs: LEASE, limit: 10 })).toEqual([]);
    });

    it('reschedules a failed delivery: counts the attempt and waits until the new time', async () => {
      const store = ctx.store();
      await store.outbox.enqueue('request.submitted', { requestId: 'r1' }, T0);
      const [message] = await store.outbox.claim({ now: T0, owner: 'w1', leaseMs: LEASE, limit: 1 });
      await store.outbox.reschedule(message!.id, 'w2', at(1), 'not the owner');
      await store.outbox.reschedule(message!.id, 'w1', at(30_000), 'ratelimited; Retry-After 30');
      // The lease was released, but the message waits for its new time.
      expect(await store.outbox.claim({ now: at(29_999), owner: 'w2', leaseMs: LEASE, limit: 1 })).toEqual([]);
      const [retry] = await store.outbox.claim({ now: at(30_000), owner: 'w2', leaseMs: LEASE, limit: 1 });
      expect(retry).toMatchObject({ id: message!.id, attempts: 1 });
    });
  });

  describe('slack messages', () => {
    it('saves where a copy was posted and upserts when it moves', async () => {
      const store = ctx.store();
      const request = await store.requests.insert(newRequest());
      await store.messages.save({ requestId: request.id, audience: 'approver:U0BOB', channel: 'D0BOB', ts: '1.1' });
      await store.messages.save({ requestId: request.id, audience: 'requester', channel: 'D0ANA', ts: '1.2' });
      expect(await store.messages.find(request.id, 'approver:U0BOB')).toEqual({ requestId: request.id, audience: 'approver:U0BOB', channel: 'D0BOB', ts: '1.1' });

      await store.messages.save({ requestId: request.id, audience: 'approver:U0BOB', channel: 'C0APPROVALS', ts: '2.1' });
      expect(await store.messages.find(request.id, 'approver:U0BOB')).toMatchObject({ channel: 'C0APPROVALS', ts: '2.1' });
      expect(await store.messages.find(request.id, 'approver:U0CAT')).toBeNull();
      expect((await store.messages.listFor(request.id)).map((m) => m.audience).sort()).toEqual(['approver:U0BOB', 'requester']);
    });
  });
}
