import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { activateDueGrants } from '../../../src/services/activate-grants.js';
import { decideRequest } from '../../../src/services/decide-request.js';
import { expireStaleRequests } from '../../../src/services/expire-stale-requests.js';
import { listMyAccess } from '../../../src/services/list-my-access.js';
import { submitRequest } from '../../../src/services/submit-request.js';
import { actions, HOUR, type Harness } from './harness.js';

export function expireSuite(h: () => Harness): void {
  describe('expireStaleRequests', () => {
    it('expires a request nobody decided once its TTL has passed, and not before', async () => {
      const { deps, clock, store, people } = h();
      const { request } = await submitRequest(deps, { requester: people.ana, resourceName: 'ro', duration: '1h', reason: 'x' });
      const decided = (await submitRequest(deps, { requester: people.eve, resourceName: 'ro', duration: '1h', reason: 'x' })).request;
      await decideRequest(deps, { requestId: decided.id, approverId: 'U0BOB', vote: 'deny' });

      clock.advance(2 * HOUR - 1);
      expect(await expireStaleRequests(deps)).toBe(0);
      expect(await store.requests.findById(request.id)).toMatchObject({ status: 'pending' });

      clock.advance(1);
      expect(await expireStaleRequests(deps)).toBe(1);
      expect(await store.requests.findById(request.id)).toMatchObject({ status: 'expired', decidedAt: clock.now(), decidedBy: null });
      expect(await store.requests.findById(decided.id)).toMatchObject({ status: 'denied' });
      expect((await h().audit(request.id)).at(-1)).toMatchObject({ action: 'request.expired', actor: 'system', data: { waitedMs: 2 * HOUR } });
      expect((await h().outbox()).at(-1)).toEqual({ kind: 'request.expired', payload: { requestId: request.id } });
      expect(await expireStaleRequests(deps)).toBe(0);

      // A late click is told the request is over.
      const late = await decideRequest(deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' }).catch((e: unknown) => e);
      expect(late).toBeInstanceOf(DomainError);
      expect(late).toMatchObject({ code: 'already_decided', details: { status: 'expired', decidedBy: null } });
      expect((await h().counts()).grants).toBe(0);
      // And the requester may ask again.
      await submitRequest(deps, { requester: people.ana, resourceName: 'ro', duration: '1h', reason: 'again' });
    });

    it('refuses a vote after the deadline even before the expiry job has run', async () => {
      const { deps, clock, store, people } = h();
      const { request } = await submitRequest(deps, { requester: people.ana, resourceName: 'ro', duration: '1h', reason: 'x' });
      clock.advance(2 * HOUR);
      const late = await decideRequest(deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' }).catch((e: unknown) => e);
      expect(late).toMatchObject({ code: 'already_decided', details: { status: 'expired', decidedBy: null, decidedAt: request.expiresAt } });
      expect((await h().counts()).grants).toBe(0);
      expect(await store.requests.votes(request.id)).toEqual([]);
      expect(actions(await h().audit(request.id))).toEqual(['request.submitted', 'request.vote_refused']);
      expect(await expireStaleRequests(deps)).toBe(1);
    });

    it('expires a bounded batch at a time', async () => {
      const { deps, clock, people } = h();
      await submitRequest(deps, { requester: people.ana, resourceName: 'ro', duration: undefined, reason: 'x' });
      await submitRequest(deps, { requester: people.eve, resourceName: 'ro', duration: undefined, reason: 'x' });
      clock.advance(3 * HOUR);
      expect(await expireStaleRequests(deps, { limit: 1 })).toBe(1);
      expect(await expireStaleRequests(deps, { limit: 1 })).toBe(1);
      expect(await expireStaleRequests(deps, { limit: 1 })).toBe(0);
    });
  });

  describe('listMyAccess', () => {
    it("lists a person's pending requests and live grants, and nobody else's", async () => {
      const { deps, people } = h();
      const pending = (await submitRequest(deps, { requester: people.ana, resourceName: 'rw', duration: undefined, reason: 'x' })).request;
      const approved = (await submitRequest(deps, { requester: people.ana, resourceName: 'ro', duration: undefined, reason: 'x' })).request;
      await decideRequest(deps, { requestId: approved.id, approverId: 'U0BOB', vote: 'approve' });
      await activateDueGrants(deps);
      await submitRequest(deps, { requester: people.eve, resourceName: 'ro', duration: undefined, reason: 'x' });

      const mine = await listMyAccess(deps, 'U0ANA');
      expect(mine.pending.map((r) => r.id)).toEqual([pending.id]);
      expect(mine.grants.map((g) => [g.requestId, g.status])).toEqual([[approved.id, 'active']]);
      expect(actions(await h().audit(approved.id))).toEqual(['request.submitted', 'request.approved']);
    });
  });
}
