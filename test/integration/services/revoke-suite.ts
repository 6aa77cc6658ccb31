import { describe, expect, it } from 'vitest';
import type { Grant } from '../../../src/domain/types.js';
import { activateDueGrants } from '../../../src/services/activate-grants.js';
import { decideRequest } from '../../../src/services/decide-request.js';
import { revokeExpiredGrants } from '../../../src/services/revoke-expired-grants.js';
import { submitRequest } from '../../../src/services/submit-request.js';
import type { Principal } from '../../../src/domain/types.js';
import { actions, HOUR, MIN, UNREACHABLE_PG_URL, type Harness } from './harness.js';

export function revokeSuite(h: () => Harness): void {
  /** Files, approves and activates a request; returns the active grant. */
  async function activeGrant(resourceName: string, duration: string, requester: Principal = h().people.ana): Promise<Grant> {
    const { request } = await submitRequest(h().deps, { requester, resourceName, duration, reason: 'INC-11' });
    await decideRequest(h().deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' });
    expect(await activateDueGrants(h().deps)).toBe(1);
    const grant = await h().store.grants.findByRequest(request.id);
    expect(grant?.status).toBe('active');
    return grant!;
  }

  describe('revokeExpiredGrants', () => {
    it('does nothing before expiry, and revokes the role at the server once the window has ended', async () => {
      const { deps, clock, logins, roles, store } = h();
      const grant = await activeGrant('ro', '1h');
      expect(await h().isMember(logins.ana, roles.ro)).toBe(true);

      clock.advance(HOUR - 1);
      expect(await revokeExpiredGrants(deps)).toBe(0);
      expect(await store.grants.findById(grant.id)).toMatchObject({ status: 'active' });
      expect(await h().isMember(logins.ana, roles.ro)).toBe(true);

      clock.advance(1);
      expect(await revokeExpiredGrants(deps)).toBe(1);
      expect(await store.grants.findById(grant.id)).toMatchObject({ status: 'revoked', endedAt: clock.now(), endReason: 'expired', lastError: null });
      expect(await h().isMember(logins.ana, roles.ro)).toBe(false);
      expect(await h().membersOf(roles.ro)).toEqual([]);
      const events = await h().audit(grant.id);
      expect(actions(events)).toEqual(['grant.created', 'grant.activated', 'grant.expired', 'grant.revoked']);
      expect(events.at(-1)!.data).toEqual({ reason: 'expired', providerCall: true });
      expect((await h().outbox()).at(-1)).toEqual({ kind: 'grant.revoked', payload: { grantId: grant.id } });
      // Safe to run twice.
      expect(await revokeExpiredGrants(deps)).toBe(0);
    });

    it('keeps a grant revoking, with the error and the attempts, while the provider fails; revoked only once it confirms', async () => {
      const { clock, logins, roles, store } = h();
      const grant = await activeGrant('ro', '1h');
      const broken = h().depsWithTarget(UNREACHABLE_PG_URL);
      clock.advance(HOUR);

      expect(await revokeExpiredGrants(broken)).toBe(1);
      const failed = await store.grants.findById(grant.id);
      expect(failed).toMatchObject({ status: 'revoking', attempts: 1, nextAttemptAt: new Date(clock.now().getTime() + 2_000), endedAt: null });
      expect(failed!.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(await h().isMember(logins.ana, roles.ro)).toBe(true);

      // Not due again until the backoff has passed; then it tries again, and backs off further.
      expect(await revokeExpiredGrants(broken)).toBe(0);
      clock.advance(2_000);
      expect(await revokeExpiredGrants(broken)).toBe(1);
      expect(await store.grants.findById(grant.id)).toMatchObject({ status: 'revoking', attempts: 2, nextAttemptAt: new Date(clock.now().getTime() + 4_000) });
      for (let i = 0; i < 5; i += 1) {
        clock.advance(10 * MIN);
        await revokeExpiredGrants(broken);
      }
      expect(await store.grants.findById(grant.id)).toMatchObject({ status: 'revoking', attempts: 7 });
      expect(actions(await h().audit(grant.id))).not.toContain('grant.revoked');

      clock.advance(10 * MIN);
      expect(await revokeExpiredGrants(h().deps)).toBe(1);
      expect(await store.grants.findById(grant.id)).toMatchObject({ status: 'revoked', lastError: null, endReason: 'expired' });
      expect(await h().isMember(logins.ana, roles.ro)).toBe(false);
    });

    it('keeps access while another active grant covers the same entitlement; the last one to end revokes it', async () => {
      const { deps, clock, logins, roles, store } = h();
      const first = await activeGrant('ro', '1h');
      clock.advance(10 * MIN);
      const second = await activeGrant('ro', '2h');
      expect(second.entitlementKey).toBe(first.entitlementKey);
      expect(second.expiresAt).toEqual(new Date(clock.now().getTime() + 2 * HOUR));

      clock.set(first.expiresAt!);
      expect(await revokeExpiredGrants(deps)).toBe(1);
      expect(await store.grants.findById(first.id)).toMatchObject({ status: 'revoked' });
      expect((await h().audit(first.id)).at(-1)!.data).toEqual({ reason: 'expired', providerCall: false, coveredBy: second.id });
      expect(await h().isMember(logins.ana, roles.ro)).toBe(true);

      clock.set(second.expiresAt!);
      expect(await revokeExpiredGrants(deps)).toBe(1);
      expect(await store.grants.findById(second.id)).toMatchObject({ status: 'revoked' });
      expect((await h().audit(second.id)).at(-1)!.data).toEqual({ reason: 'expired', providerCall: true });
      expect(await h().isMember(logins.ana, roles.ro)).toBe(false);
    });

    it("does not let one person's expiry take the same role from another", async () => {
      const { deps, clock, logins, roles } = h();
      await activeGrant('ro', '1h');
      await activeGrant('ro', '2h', h().people.eve);
      clock.advance(HOUR);
      expect(await revokeExpiredGrants(deps)).toBe(1);
      expect(await h().isMember(logins.ana, roles.ro)).toBe(false);
      expect(await h().isMember(logins.eve, roles.ro)).toBe(true);
    });
  });

  describe('activateDueGrants failures', () => {
    it('fails a grant permanently when the login does not exist at the server', async () => {
      const { deps, store, people } = h();
      const { request } = await submitRequest(deps, { requester: people.ghost, resourceName: 'ro', duration: '1h', reason: 'x' });
      await decideRequest(deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' });
      expect(await activateDueGrants(deps)).toBe(1);
      const grant = await store.grants.findByRequest(request.id);
      expect(grant).toMatchObject({ status: 'failed', activatedAt: null, expiresAt: null });
      expect(grant!.lastError).toMatch(/does not exist/);
      expect(actions(await h().audit(grant!.id))).toEqual(['grant.created', 'grant.failed']);
      expect((await h().outbox()).at(-1)).toEqual({ kind: 'grant.failed', payload: { grantId: grant!.id } });
      expect(await activateDueGrants(deps)).toBe(0);
    });

    it('undoes a grant call that outlived its lease and reached the server after the grant had already ended', async () => {
      const { deps, clock, store, logins, roles } = h();
      const { request } = await submitRequest(deps, { requester: h().people.ana, resourceName: 'ro', duration: '1h', reason: 'x' });
      await decideRequest(deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' });

      // Replica A's grant call hangs past its one-second lease.
      const real = deps.providers.get('target-pg')!;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = { ...real, name: real.name, kind: real.kind, grant: async (identity: string, spec: Record<string, unknown>) => { await gate; await real.grant(identity, spec); }, revoke: real.revoke.bind(real), listHolders: real.listHolders.bind(real), close: async () => {} };
      const replicaA = { ...deps, workerId: 'replica-a', leaseMs: 1_000, providers: new Map([['target-pg', slow]]) };
      const stuck = activateDueGrants(replicaA);
      await new Promise((r) => setTimeout(r, 50));

      // Replica B takes the grant over once A's lease has passed, and it runs its whole window.
      clock.advance(2_000);
      const replicaB = { ...deps, workerId: 'replica-b' };
      expect(await activateDueGrants(replicaB)).toBe(1);
      clock.advance(HOUR);
      expect(await revokeExpiredGrants(replicaB)).toBe(1);
      expect(await h().isMember(logins.ana, roles.ro)).toBe(false);

      // A's call finally lands: it re-grants the role, notices the grant has ended, and takes it away again.
      release();
      await stuck;
      expect(await h().isMember(logins.ana, roles.ro)).toBe(false);
      const grant = await store.grants.findByRequest(request.id);
      expect(grant!.status).toBe('revoked');
      expect(actions(await h().audit(grant!.id))).toContain('grant.late_call_undone');
    });

    it('retries an unreachable server with backoff, and counts the window from the activation that succeeded', async () => {
      const { deps, clock, store, logins, roles } = h();
      const { request } = await submitRequest(deps, { requester: h().people.ana, resourceName: 'ro', duration: '1h', reason: 'x' });
      await decideRequest(deps, { requestId: request.id, approverId: 'U0BOB', vote: 'approve' });
      expect(await activateDueGrants(h().depsWithTarget(UNREACHABLE_PG_URL))).toBe(1);
      const waiting = await store.grants.findByRequest(request.id);
      expect(waiting).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: new Date(clock.now().getTime() + 2_000) });
      expect(waiting!.lastError).toMatch(/ECONNREFUSED|connect/i);

      expect(await activateDueGrants(deps)).toBe(0);
      clock.advance(2_000);
      expect(await activateDueGrants(deps)).toBe(1);
      expect(await store.grants.findById(waiting!.id)).toMatchObject({
        status: 'active',
        lastError: null,
        activatedAt: clock.now(),
        expiresAt: new Date(clock.now().getTime() + HOUR),
      });
      expect(await h().isMember(logins.ana, roles.ro)).toBe(true);
    });
  });
}
