import { describe, expect, it } from 'vitest';
import { activeGrant, at, grantFor, HOUR, leaseOf, MIN, newRequest, pendingGrant, T0, type StoreContext } from './context.js';

const LEASE = MIN;

export function grantsSuite(ctx: StoreContext): void {
  describe('grants', () => {
    it('inserts a pending grant, due at once, with no attempts', async () => {
      const store = ctx.store();
      const grant = await pendingGrant(store);
      expect(grant).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: T0, activatedAt: null, expiresAt: null, lastError: null });
      expect(await store.grants.findById(grant.id)).toEqual(grant);
      expect(await store.grants.findByRequest(grant.requestId)).toEqual(grant);
      expect(await store.grants.findById('not-a-uuid')).toBeNull();
    });

    it('allows one grant per request', async () => {
      const store = ctx.store();
      const request = await store.requests.insert(newRequest());
      await store.grants.insert(grantFor(request));
      await expect(store.grants.insert(grantFor(request))).rejects.toThrow();
    });

    it('claims pending grants for activation under a lease; a second claimer gets nothing until it passes', async () => {
      const store = ctx.store();
      const grant = await pendingGrant(store);
      expect(await store.grants.claimDue('activate', { now: at(-1), owner: 'w1', leaseMs: LEASE, limit: 10 })).toEqual([]);

      const first = await store.grants.claimDue('activate', { now: T0, owner: 'w1', leaseMs: LEASE, limit: 10 });
      expect(first.map((g) => [g.id, leaseOf(g)])).toEqual([[grant.id, { owner: 'w1', until: at(LEASE) }]]);

      expect(await store.grants.claimDue('activate', { now: at(LEASE - 1), owner: 'w2', leaseMs: LEASE, limit: 10 })).toEqual([]);
      expect(await store.grants.claimDue('activate', { now: at(LEASE), owner: 'w2', leaseMs: LEASE, limit: 10 })).toEqual([]);

      const taken = await store.grants.claimDue('activate', { now: at(LEASE + 1), owner: 'w2', leaseMs: LEASE, limit: 10 });
      expect(taken.map((g) => [g.id, leaseOf(g)])).toEqual([[grant.id, { owner: 'w2', until: at(2 * LEASE + 1) }]]);
    });

    it('claims at most `limit`, oldest next attempt first', async () => {
      const store = ctx.store();
      const grants = [];
      for (let i = 0; i < 3; i += 1) grants.push(await pendingGrant(store, { createdAt: at(-i * MIN) }));
      const claimed = await store.grants.claimDue('activate', { now: T0, owner: 'w1', leaseMs: LEASE, limit: 2 });
      expect(claimed.map((g) => g.id).sort()).toEqual([grants[2]!.id, grants[1]!.id].sort());
      const rest = await store.grants.claimDue('activate', { now: T0, owner: 'w2', leaseMs: LEASE, limit: 2 });
      expect(rest.map((g) => g.id)).toEqual([grants[0]!.id]);
    });

    it('claims for revocation active grants past expiry and revoking grants due a retry, nothing else', async () => {
      const store = ctx.store();
      const expired = await activeGrant(store, at(HOUR));
      const running = await activeGrant(store, at(3 * HOUR));
      const retrying = await activeGrant(store, at(HOUR));
      await store.grants.transition(retrying.id, 'active', 'revoking', { nextAttemptAt: at(90 * MIN) });
      const done = await activeGrant(store, at(HOUR));
      await store.grants.transition(done.id, 'active', 'revoking', {});
      await store.grants.transition(done.id, 'revoking', 'revoked', { endedAt: at(HOUR) });
      await pendingGrant(store); // pending: activation work, not revocation

      expect(await store.grants.claimDue('revoke', { now: at(HOUR - 1), owner: 'w1', leaseMs: LEASE, limit: 10 })).toEqual([]);
      const claimed = await store.grants.claimDue('revoke', { now: at(HOUR), owner: 'w1', leaseMs: 10 * HOUR, limit: 10 });
      expect(claimed.map((g) => g.id)).toEqual([expired.id]);
      const later = await store.grants.claimDue('revoke', { now: at(2 * HOUR), owner: 'w2', leaseMs: 10 * HOUR, limit: 10 });
      expect(later.map((g) => g.id)).toEqual([retrying.id]);
      const afterAll = await store.grants.claimDue('revoke', { now: at(3 * HOUR), owner: 'w3', leaseMs: LEASE, limit: 10 });
      expect(afterAll.map((g) => g.id)).toEqual([running.id]);
    });

    it('transitions by compare-and-set on status', async () => {
      const store = ctx.store();
      const grant = await pendingGrant(store);
      expect(await store.grants.transition(grant.id, 'active', 'revoking', {})).toBeNull();
      const active = await store.grants.transition(grant.id, 'pending', 'active', { activatedAt: at(MIN), expiresAt: at(HOUR + MIN) });
      expect(active).toMatchObject({ status: 'active', activatedAt: at(MIN), expiresAt: at(HOUR + MIN) });
      expect(await store.grants.transition(grant.id, 'pending', 'failed', { lastError: 'late' })).toBeNull();
      expect(await store.grants.findById(grant.id)).toMatchObject({ status: 'active', lastError: null });
    });

    it('refuses a transition by a claimant whose lease was taken over, and releases the lease on success', async () => {
      const store = ctx.store();
      const grant = await pendingGrant(store);
      await store.grants.claimDue('activate', { now: T0, owner: 'w1', leaseMs: LEASE, limit: 1 });
      await store.grants.claimDue('activate', { now: at(2 * LEASE), owner: 'w2', leaseMs: LEASE, limit: 1 });

      expect(await store.grants.transition(grant.id, 'pending', 'active', { activatedAt: at(MIN), expiresAt: at(HOUR) }, 'w1')).toBeNull();
      expect(await store.grants.findById(grant.id)).toMatchObject({ status: 'pending', leaseOwner: 'w2' });

      const active = await store.grants.transition(grant.id, 'pending', 'active', { activatedAt: at(MIN), expiresAt: at(HOUR) }, 'w2');
      expect(active).toMatchObject({ status: 'active', leaseOwner: null, leaseUntil: null });
    });

    it('records a failed attempt: counts it, keeps the error, releases the lease, and backs off', async () => {
      const store = ctx.store();
      const grant = await pendingGrant(store);
      await store.grants.claimDue('activate', { now: T0, owner: 'w1', leaseMs: LEASE, limit: 1 });
      expect(await store.grants.recordFailedAttempt(grant.id, 'w2', 'not mine', at(MIN))).toBeNull();

      const failed = await store.grants.recordFailedAttempt(grant.id, 'w1', 'connection refused', at(10 * MIN));
      expect(failed).toMatchObject({ attempts: 1, lastError: 'connection refused', nextAttemptAt: at(10 * MIN), leaseOwner: null, leaseUntil: null, status: 'pending' });

      expect(await store.grants.claimDue('activate', { now: at(10 * MIN - 1), owner: 'w2', leaseMs: LEASE, limit: 1 })).toEqual([]);
      const retried = await store.grants.claimDue('activate', { now: at(10 * MIN), owner: 'w2', leaseMs: LEASE, limit: 1 });
      expect(retried.map((g) => g.id)).toEqual([grant.id]);
      const again = await store.grants.recordFailedAttempt(grant.id, 'w2', 'timeout', at(20 * MIN));
      expect(again).toMatchObject({ attempts: 2, lastError: 'timeout' });
    });

    it('finds another active grant still covering the same entitlement', async () => {
      const store = ctx.store();
      const first = await activeGrant(store, at(HOUR));
      expect(await store.grants.findCovering(first, at(HOUR))).toBeNull();

      const second = await activeGrant(store, at(2 * HOUR));
      await activeGrant(store, at(5 * HOUR), { identity: 'bob' }); // same role, another person
      await activeGrant(store, at(5 * HOUR), { spec: { role: 'prod_write' } }); // same person, another role
      expect((await store.grants.findCovering(first, at(HOUR)))?.id).toBe(second.id);
      // Not once the other one's window has ended too.
      expect(await store.grants.findCovering(first, at(2 * HOUR))).toBeNull();
      // A grant never covers itself.
      expect(await store.grants.findCovering(second, at(HOUR))).toBeNull();
      // Only active grants cover.
      await store.grants.transition(second.id, 'active', 'revoking', {});
      expect(await store.grants.findCovering(first, at(HOUR))).toBeNull();
    });

    it('lists a holder grants by status, soonest expiry first', async () => {
      const store = ctx.store();
      const later = await activeGrant(store, at(3 * HOUR), { holderId: 'U0HOLD' });
      const sooner = await activeGrant(store, at(HOUR), { holderId: 'U0HOLD' });
      const pending = await pendingGrant(store, { holderId: 'U0HOLD' });
      await activeGrant(store, at(HOUR), { holderId: 'U0OTHER' });
      expect((await store.grants.listByHolder('U0HOLD', ['active'])).map((g) => g.id)).toEqual([sooner.id, later.id]);
      expect((await store.grants.listByHolder('U0HOLD', ['pending', 'active'])).map((g) => g.id)).toContain(pending.id);
    });
  });
}
