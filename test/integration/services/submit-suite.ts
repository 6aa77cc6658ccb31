import { describe, expect, it } from 'vitest';
import { DomainError, type DomainErrorCode } from '../../../src/domain/errors.js';
import type { Principal } from '../../../src/domain/types.js';
import { activateDueGrants } from '../../../src/services/activate-grants.js';
import { submitRequest } from '../../../src/services/submit-request.js';
import { actions, HOUR, type Harness } from './harness.js';

async function refusedWith(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => expect.unreachable('the request was accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

export function submitSuite(h: () => Harness): void {
  describe('submitRequest', () => {
    it('files a pending request with its audit event and its notification, and grants nothing yet', async () => {
      const { deps, people, clock, logins, roles, store } = h();
      const { request, autoApprovedBy } = await submitRequest(deps, {
        requester: people.ana,
        resourceName: ' ro ',
        duration: '2h',
        reason: '  debugging INC-7  ',
      });
      expect(autoApprovedBy).toBeNull();
      expect(request).toMatchObject({
        resource: 'ro',
        requesterId: 'U0ANA',
        requesterEmail: people.ana.email,
        requesterName: 'Ana',
        identity: logins.ana,
        durationMs: 2 * HOUR,
        reason: 'debugging INC-7',
        status: 'pending',
        requiredApprovals: 1,
        // The requester is listed as an approver in the policy, but never counts as one.
        approverIds: ['U0BOB', 'U0CAT'],
        createdAt: clock.now(),
        expiresAt: new Date(clock.now().getTime() + 2 * HOUR),
        decidedAt: null,
      });
      expect(await store.requests.findById(request.id)).toEqual(request);

      const events = await h().audit(request.id);
      expect(events).toEqual([
        expect.objectContaining({
          action: 'request.submitted',
          actor: 'U0ANA',
          subjectType: 'request',
          at: clock.now(),
          data: expect.objectContaining({ resource: 'ro', durationMs: 2 * HOUR, reason: 'debugging INC-7', identity: logins.ana, approverIds: ['U0BOB', 'U0CAT'] }),
        }),
      ]);
      expect(await h().outbox()).toEqual([{ kind: 'request.submitted', payload: { requestId: request.id } }]);
      expect(h().woken).toEqual(['deliver-notifications']);
      expect(await h().isMember(logins.ana, roles.ro)).toBe(false);
      expect((await h().counts()).grants).toBe(0);
    });

    it("uses the resource's default duration when none is typed", async () => {
      const { request } = await submitRequest(h().deps, { requester: h().people.ana, resourceName: 'ro', duration: undefined, reason: 'x' });
      expect(request.durationMs).toBe(HOUR);
    });

    const refusals: Array<[string, DomainErrorCode, (x: Harness) => { requester: Principal; resourceName: string; duration?: string; reason: string }]> = [
      ['an unknown resource', 'unknown_resource', (x) => ({ requester: x.people.ana, resourceName: 'r0', reason: 'x' })],
      ['a duration that is not one', 'invalid_duration', (x) => ({ requester: x.people.ana, resourceName: 'ro', duration: 'soon', reason: 'x' })],
      ['a duration past the maximum', 'duration_too_long', (x) => ({ requester: x.people.ana, resourceName: 'ro', duration: '4h1m', reason: 'x' })],
      ['a duration under the minimum', 'duration_too_short', (x) => ({ requester: x.people.ana, resourceName: 'ro', duration: '30s', reason: 'x' })],
      ['an empty reason', 'reason_required', (x) => ({ requester: x.people.ana, resourceName: 'ro', reason: ' \n\t ' })],
      ['a reason too long to read', 'reason_too_long', (x) => ({ requester: x.people.ana, resourceName: 'ro', reason: 'x'.repeat(2_001) })],
      ['a requester the policy does not allow', 'not_allowed_to_request', (x) => ({ requester: x.people.ana, resourceName: 'restricted', reason: 'x' })],
      ['a requester with no email to map', 'unmapped_identity', (x) => ({ requester: x.people.noEmail, resourceName: 'ro', reason: 'x' })],
      ['a resource only the requester could approve', 'no_approvers', (x) => ({ requester: x.people.ana, resourceName: 'lonely', reason: 'x' })],
    ];

    it.each(refusals)('refuses %s with %s and writes nothing', async (_what, code, input) => {
      const before = await h().counts();
      const { duration, ...rest } = input(h());
      const error = await refusedWith(submitRequest(h().deps, { ...rest, duration }));
      expect(error.code).toBe(code);
      expect(await h().counts()).toEqual(before);
      expect(h().woken).toEqual([]);
    });

    it('suggests close names for an unknown resource', async () => {
      const error = await refusedWith(submitRequest(h().deps, { requester: h().people.ana, resourceName: 'rw-', duration: undefined, reason: 'x' }));
      expect(error.details.suggestions).toContain('rw');
      expect(error.details.resource).toBe('rw-');
    });

    it('refuses a second pending request for the same resource and writes nothing', async () => {
      const first = await submitRequest(h().deps, { requester: h().people.ana, resourceName: 'ro', duration: '1h', reason: 'first' });
      const before = await h().counts();
      const error = await refusedWith(submitRequest(h().deps, { requester: h().people.ana, resourceName: 'ro', duration: '2h', reason: 'again' }));
      expect(error.code).toBe('duplicate_request');
      expect(await h().counts()).toEqual(before);
      // Another resource, or another person, is fine.
      await submitRequest(h().deps, { requester: h().people.ana, resourceName: 'rw', duration: undefined, reason: 'other' });
      await submitRequest(h().deps, { requester: h().people.eve, resourceName: 'ro', duration: undefined, reason: 'other' });
      expect((await h().store.requests.findPending('U0ANA', 'ro'))?.id).toBe(first.request.id);
    });

    it('files one request when the same person submits twice at the same moment', async () => {
      const submit = () => submitRequest(h().deps, { requester: h().people.ana, resourceName: 'ro', duration: '1h', reason: 'double click' });
      const results = await Promise.allSettled([submit(), submit(), submit()]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused.map((r) => (r.reason as DomainError).code)).toEqual(['duplicate_request', 'duplicate_request']);
      expect(await h().store.requests.listByRequester('U0ANA', ['pending'])).toHaveLength(1);
    });

    it('lets a requester in through a Slack user group the policy names', async () => {
      h().directory.usergroups.set('S0SRE', ['U0SRE', 'U0EVE']);
      try {
        const { request } = await submitRequest(h().deps, { requester: h().people.eve, resourceName: 'restricted', duration: undefined, reason: 'x' });
        expect(request.status).toBe('pending');
      } finally {
        h().directory.usergroups.set('S0SRE', ['U0SRE']);
      }
    });

    it('auto-approves by a matching rule: decided at once by policy, grant pending, then active for real', async () => {
      const { deps, people, logins, roles, clock } = h();
      const { request, autoApprovedBy } = await submitRequest(deps, { requester: people.eve, resourceName: 'oncall-ro', duration: '1h', reason: 'paged' });
      expect(autoApprovedBy).toBe('oncall');
      expect(request).toMatchObject({ status: 'approved', autoApprovedBy: 'oncall', decidedBy: null, decidedAt: clock.now() });
      expect(actions(await h().audit(request.id))).toEqual(['request.submitted', 'request.approved']);
      expect((await h().audit(request.id))[1]).toMatchObject({ actor: 'policy:oncall' });
      expect(await h().outbox()).toEqual([{ kind: 'request.decided', payload: { requestId: request.id } }]);
      expect(h().woken).toContain('activate-grants');

      const grant = await h().store.grants.findByRequest(request.id);
      expect(grant).toMatchObject({ status: 'pending', identity: logins.eve, spec: { role: roles.ro } });
      expect(await activateDueGrants(deps)).toBe(1);
      expect(await h().isMember(logins.eve, roles.ro)).toBe(true);
    });

    it('does not auto-approve past the rule’s max_duration or for someone outside its group', async () => {
      const { deps, people } = h();
      const long = await submitRequest(deps, { requester: people.eve, resourceName: 'oncall-ro', duration: '2h', reason: 'paged' });
      expect(long).toMatchObject({ autoApprovedBy: null, request: { status: 'pending' } });
      const outsider = await submitRequest(deps, { requester: people.ana, resourceName: 'oncall-ro', duration: '30m', reason: 'curious' });
      expect(outsider).toMatchObject({ autoApprovedBy: null, request: { status: 'pending' } });
      expect((await h().counts()).grants).toBe(0);
    });
  });
}
