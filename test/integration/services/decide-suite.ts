import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src/domain/audit-chain.js';
import { DomainError } from '../../../src/domain/errors.js';
import { activateDueGrants } from '../../../src/services/activate-grants.js';
import { decideRequest } from '../../../src/services/decide-request.js';
import { submitRequest } from '../../../src/services/submit-request.js';
import { actions, HOUR, MIN, type Harness } from './harness.js';

async function refusedWith(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => expect.unreachable('the vote was accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

export function decideSuite(h: () => Harness): void {
  const file = (resourceName: string, duration?: string) =>
    submitRequest(h().deps, { requester: h().people.ana, resourceName, duration, reason: 'INC-9' }).then((r) => r.request);

  describe('decideRequest', () => {
    it('approves, creates a pending grant, and activation grants the role for real with the window counted from activation', async () => {
      const { deps, clock, logins, roles, store } = h();
      const request = await file('ro', '2h');
      clock.advance(10 * MIN);
      const decided = await decideRequest(deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' });
      expect(decided).toMatchObject({ outcome: 'approved', approvals: ['U0BOB'], request: { status: 'approved', decidedBy: 'U0BOB', decidedAt: clock.now() } });
      expect(h().woken).toEqual(expect.arrayContaining(['activate-grants', 'deliver-notifications']));

      const pending = await store.grants.findByRequest(request.id);
      expect(pending).toMatchObject({ status: 'pending', holderId: 'U0ANA', identity: logins.ana, spec: { role: roles.ro }, durationMs: 2 * HOUR, expiresAt: null });
      expect(await h().isMember(logins.ana, roles.ro)).toBe(false);

      clock.advance(5 * MIN);
      const activatedAt = clock.now();
      expect(await activateDueGrants(deps)).toBe(1);
      const active = await store.grants.findById(pending!.id);
      expect(active).toMatchObject({ status: 'active', activatedAt, expiresAt: new Date(activatedAt.getTime() + 2 * HOUR) });
      expect(active!.expiresAt!.getTime()).not.toBe(request.createdAt.getTime() + 2 * HOUR);
      expect(await h().isMember(logins.ana, roles.ro)).toBe(true);
      expect(await h().membersOf(roles.ro)).toEqual([logins.ana]);
      // Nothing more to activate: the job is safe to run twice.
      expect(await activateDueGrants(deps)).toBe(0);

      expect(actions(await h().audit(request.id))).toEqual(['request.submitted', 'request.approved']);
      expect(actions(await h().audit(pending!.id))).toEqual(['grant.created', 'grant.activated']);
      expect((await h().outbox()).map((m) => m.kind)).toEqual(['request.submitted', 'request.decided', 'grant.activated']);
      expect(verifyChain(await h().audit()).ok).toBe(true);
    });

    it('refuses self-approval even though the policy lists the requester, and audits the refusal', async () => {
      const request = await file('ro');
      const error = await refusedWith(decideRequest(h().deps, { requestId: request.id, approverId: 'U0ANA', vote: 'approve' }));
      expect(error.code).toBe('self_approval');
      expect(await h().store.requests.findById(request.id)).toMatchObject({ status: 'pending' });
      expect(await h().store.requests.votes(request.id)).toEqual([]);
      expect((await h().audit(request.id)).at(-1)).toMatchObject({
        action: 'request.vote_refused',
        actor: 'U0ANA',
        data: { vote: 'approve', code: 'self_approval' },
      });
      expect((await h().counts()).grants).toBe(0);
    });

    it('refuses someone who is not an approver, and an unknown or malformed request id', async () => {
      const request = await file('ro');
      expect((await refusedWith(decideRequest(h().deps, { requestId: request.id, approverId: 'U0EVE', vote: 'approve' }))).code).toBe('not_an_approver');
      expect((await refusedWith(decideRequest(h().deps, { requestId: crypto.randomUUID(), approverId: 'U0BOB', vote: 'approve' }))).code).toBe('request_not_found');
      expect((await refusedWith(decideRequest(h().deps, { requestId: 'approve-all', approverId: 'U0BOB', vote: 'approve' }))).code).toBe('request_not_found');
      expect(actions(await h().audit(request.id))).toEqual(['request.submitted', 'request.vote_refused']);
      expect(await h().store.requests.findById(request.id)).toMatchObject({ status: 'pending' });
    });

    it('tells a later click the request is already decided, by whom and when', async () => {
      const request = await file('ro');
      const decidedAt = h().clock.now();
      await decideRequest(h().deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' });
      h().clock.advance(MIN);
      for (const approverId of ['U0CAT', 'U0BOB']) {
        const error = await refusedWith(decideRequest(h().deps, { requestId: request.id, approverId, vote: 'deny' }));
        expect(error.code).toBe('already_decided');
        expect(error.details).toEqual({ status: 'approved', decidedBy: 'U0BOB', decidedAt });
      }
      expect(await h().store.requests.findById(request.id)).toMatchObject({ status: 'approved', decidedBy: 'U0BOB' });
      expect((await h().counts()).grants).toBe(1);
      expect(actions(await h().audit(request.id)).filter((a) => a === 'request.vote_refused')).toHaveLength(2);
    });

    it('needs two distinct approvers when the policy asks for two', async () => {
      const request = await file('rw');
      const first = await decideRequest(h().deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' });
      expect(first).toMatchObject({ outcome: 'recorded', approvals: ['U0BOB'], request: { status: 'pending' } });
      expect((await h().counts()).grants).toBe(0);
      expect(h().woken).not.toContain('activate-grants');

      const again = await refusedWith(decideRequest(h().deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' }));
      expect(again.code).toBe('already_voted');
      expect(await h().store.requests.findById(request.id)).toMatchObject({ status: 'pending' });

      const second = await decideRequest(h().deps, { requestId: request.id, approverId: 'U0CAT', vote: 'approve' });
      expect(second).toMatchObject({ outcome: 'approved', approvals: ['U0BOB', 'U0CAT'], request: { status: 'approved', decidedBy: 'U0CAT' } });
      expect((await h().counts()).grants).toBe(1);
      expect(actions(await h().audit(request.id))).toEqual(['request.submitted', 'request.vote_recorded', 'request.vote_refused', 'request.approved']);
      expect((await h().outbox()).map((m) => m.kind)).toEqual(['request.submitted', 'request.progress', 'request.decided']);
    });

    it('denies with a reason: no grant, the reason recorded and audited', async () => {
      const request = await file('ro');
      const result = await decideRequest(h().deps, { requestId: request.id, approverId: 'U0CAT', vote: 'deny', reason: '  change freeze  ' });
      expect(result).toMatchObject({ outcome: 'denied', request: { status: 'denied', decidedBy: 'U0CAT', decisionReason: 'change freeze' } });
      expect((await h().counts()).grants).toBe(0);
      expect((await h().audit(request.id)).at(-1)).toMatchObject({ action: 'request.denied', actor: 'U0CAT', data: { reason: 'change freeze' } });
      expect((await h().outbox()).at(-1)).toEqual({ kind: 'request.decided', payload: { requestId: request.id } });
    });

    it('lets one deny decide a request that needs two approvals', async () => {
      const request = await file('rw');
      await decideRequest(h().deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' });
      const result = await decideRequest(h().deps, { requestId: request.id, approverId: 'U0DAN', vote: 'deny' });
      expect(result).toMatchObject({ outcome: 'denied', request: { status: 'denied', decidedBy: 'U0DAN', decisionReason: null } });
      expect((await h().counts()).grants).toBe(0);
    });

    it('makes exactly one decision when five approvers click at once', async () => {
      const request = await file('crowd');
      const approvers = ['U0AP1', 'U0AP2', 'U0AP3', 'U0AP4', 'U0AP5'];
      const results = await Promise.allSettled(approvers.map((approverId) => decideRequest(h().deps, { requestId: request.id, approverId, vote: 'approve' })));

      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(won[0]!.value.outcome).toBe('approved');
      expect(lost.map((r) => (r.reason as DomainError).code)).toEqual(['already_decided', 'already_decided', 'already_decided', 'already_decided']);
      const winner = won[0]!.value.request.decidedBy;
      expect(lost.every((r) => (r.reason as DomainError).details.decidedBy === winner)).toBe(true);

      expect((await h().counts()).grants).toBe(1);
      expect(await h().store.requests.votes(request.id)).toHaveLength(1);
      const events = await h().audit(request.id);
      expect(actions(events).filter((a) => a === 'request.approved')).toHaveLength(1);
      expect(actions(events).filter((a) => a === 'request.vote_refused')).toHaveLength(4);
      expect((await h().outbox()).filter((m) => m.kind === 'request.decided')).toHaveLength(1);
      expect(verifyChain(await h().audit()).ok).toBe(true);
    });

    it('activates a grant once when two workers run activation at the same time', async () => {
      const request = await file('ro');
      await decideRequest(h().deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' });
      const other = h().depsWithTarget(h().targetUrl, 'other-worker');
      const counts = await Promise.all([activateDueGrants(h().deps), activateDueGrants(other)]);
      expect(counts.sort()).toEqual([0, 1]);
      const grant = await h().store.grants.findByRequest(request.id);
      expect(actions(await h().audit(grant!.id))).toEqual(['grant.created', 'grant.activated']);
      expect(await h().isMember(h().logins.ana, h().roles.ro)).toBe(true);
    });
  });
}
