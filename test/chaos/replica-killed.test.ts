import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/slack/ids.js';
import { ChaosReceiver } from '../support/chaos-receiver.js';
import { postgresAvailable } from '../support/databases.js';
import { ReplicaSet, sleep, type ChildReplica } from '../support/replicas.js';

const available = await postgresAvailable();
const HOOK_SECRET = 'chaos-replica-killed-webhook-secret-0123456789';

interface GrantRow extends Record<string, unknown> {
  id: string;
  status: string;
  lease_owner: string | null;
  lease_until: Date | null;
  ended_at: Date | null;
}

/**
 * Two replicas as real processes. The one revoking a grant is killed with SIGKILL while the webhook
 * receiver holds its revoke call open; the other takes the claim over once the lease (5 s) ends and
 * finishes the revocation. The grant is never marked revoked before a receiver has confirmed it.
 */
describe.skipIf(!available)('kill -9 of a replica in the middle of a revocation', () => {
  const r = new ReplicaSet();
  const receiver = new ChaosReceiver(HOOK_SECRET);
  let replicas: ChildReplica[];

  beforeAll(async () => {
    await receiver.start();
    r.slack.addUser({ id: 'UANA', name: 'Ana Lopez', email: 'ana@example.com' }).addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    await r.prepare(
      `
providers:
  app-hook: { kind: webhook, url: env:APP_HOOK_URL, secret: env:APP_HOOK_SECRET }
resources:
  app:
    provider: app-hook
    grant: { entitlement: admin }
    approvers: [UBOB]
    duration: { default: 2s, max: 1h, min: 1s }
`,
      { APP_HOOK_URL: receiver.url, APP_HOOK_SECRET: HOOK_SECRET, JOB_LEASE_SECONDS: '5' },
    );
    replicas = await Promise.all([r.spawn('a'), r.spawn('b')]);
  });
  afterAll(async () => {
    try {
      await r.stop(); // SIGKILLs whatever child is still running
    } finally {
      await receiver.stop();
    }
  });

  const grant = async () => (await r.sql<GrantRow>(`SELECT id, status, lease_owner, lease_until, ended_at FROM grants`))[0]!;

  it('has the surviving replica finish the revocation after the lease, and marks it revoked only once confirmed', async () => {
    await (await r.command(0, 'UANA', 'request app 2s deploy hotfix').response).text();
    await r.eventually(async () => (await r.sql(`SELECT id FROM requests`)).length === 1, 'the request');
    const [{ id }] = (await r.sql<{ id: string }>(`SELECT id FROM requests`)) as [{ id: string }];
    receiver.holdRevokes = true;
    await (await r.click(1, 'UBOB', ACTION.approve, id).response).text();
    await r.eventually(() => receiver.holders.has('ana'), 'the grant at the receiver');

    // Before the receiver answers any revoke, the database must not call the grant revoked.
    receiver.beforeRevokeConfirmed = async () => {
      const { status } = await grant();
      if (status === 'revoked') throw new Error('grant marked revoked before the receiver confirmed the revoke');
    };

    const held = await receiver.waitForHeld(15_000);
    const claimed = await grant();
    expect(claimed.status).toBe('revoking');
    const victim = replicas.find((c) => c.owns(claimed.lease_owner))!;
    const survivor = replicas.find((c) => c !== victim)!;
    expect(victim, `lease owner ${claimed.lease_owner}`).toBeDefined();

    victim.signal('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    receiver.holdRevokes = false;
    // The dead replica's call is answered to nobody; this receiver finishes the work anyway, so the
    // survivor's revoke later finds nothing to remove (404), which the contract counts as done.
    await held.release();
    expect(receiver.holders.has('ana')).toBe(false);

    // Still leased to the dead replica: nobody touches the grant until the lease ends.
    await sleep(500);
    if (Date.now() < claimed.lease_until!.getTime() - 500) {
      expect(await grant()).toMatchObject({ status: 'revoking', lease_owner: claimed.lease_owner });
    }

    await r.eventually(async () => (await grant()).status === 'revoked', 'the survivor to finish the revocation', 20_000);
    const revokes = receiver.callsOf('revoke');
    expect(revokes).toHaveLength(2); // the dead replica's, then the survivor's
    expect(revokes[1]!.at).toBeGreaterThanOrEqual(claimed.lease_until!.getTime()); // only after the lease ended
    expect(revokes[1]!.status).toBe(404);
    expect(receiver.violations).toEqual([]);
    const done = await grant();
    expect(done.ended_at!.getTime()).toBeGreaterThanOrEqual(claimed.lease_until!.getTime());

    const events = await r.sql<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_events WHERE subject_id = '${done.id}' GROUP BY action ORDER BY action`,
    );
    expect(events).toEqual([
      { action: 'grant.activated', n: 1 },
      { action: 'grant.created', n: 1 },
      { action: 'grant.expired', n: 1 },
      { action: 'grant.revoked', n: 1 },
    ]);
    // The holder hears once that it ended, from the survivor.
    await r.slack.waitFor(() => r.slack.messagesIn('UANA').find((m) => m.text === 'Ended: app'), 'the ended notice', 10_000);
    expect(r.slack.messagesIn('UANA').filter((m) => m.text === 'Ended: app')).toHaveLength(1);
    expect(survivor.alive).toBe(true);
  });
});
