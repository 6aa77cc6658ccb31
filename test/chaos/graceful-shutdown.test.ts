import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/slack/ids.js';
import { ChaosReceiver } from '../support/chaos-receiver.js';
import { postgresAvailable } from '../support/databases.js';
import { ReplicaSet, sleep } from '../support/replicas.js';

const available = await postgresAvailable();
const HOOK_SECRET = 'chaos-graceful-shutdown-webhook-secret-0123456789';

interface GrantRow extends Record<string, unknown> {
  status: string;
  lease_owner: string | null;
  identity: string;
}

/**
 * SIGTERM to a replica (a real process) while the webhook receiver holds its revoke call open: it
 * finishes that revoke, claims nothing new (a release that arrives meanwhile waits for the next
 * replica), and exits 0.
 */
describe.skipIf(!available)('graceful shutdown on SIGTERM', () => {
  const r = new ReplicaSet();
  const receiver = new ChaosReceiver(HOOK_SECRET);

  beforeAll(async () => {
    await receiver.start();
    r.slack
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: 'ana@example.com' })
      .addUser({ id: 'UCY', name: 'Cy Young', email: 'cy@example.com' })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    await r.prepare(
      `
providers:
  app-hook: { kind: webhook, url: env:APP_HOOK_URL, secret: env:APP_HOOK_SECRET }
resources:
  app:
    provider: app-hook
    grant: { entitlement: admin }
    approvers: [UBOB]
    duration: { default: 1h, max: 1h, min: 1s }
`,
      { APP_HOOK_URL: receiver.url, APP_HOOK_SECRET: HOOK_SECRET },
    );
  });
  afterAll(async () => {
    try {
      await r.stop();
    } finally {
      await receiver.stop();
    }
  });

  const grantOf = async (identity: string) => (await r.sql<GrantRow>(`SELECT status, lease_owner, identity FROM grants WHERE identity = '${identity}'`))[0];

  async function fileAndApprove(userId: string, text: string): Promise<void> {
    await (await r.command(0, userId, text).response).text();
    let id: string | undefined;
    await r.eventually(async () => {
      id = (await r.sql<{ id: string }>(`SELECT id FROM requests WHERE requester_id = '${userId}'`))[0]?.id;
      return id !== undefined;
    }, `${userId}'s request`);
    await (await r.click(0, 'UBOB', ACTION.approve, id!).response).text();
  }

  it('finishes the revoke in flight, claims nothing new, and exits 0', async () => {
    const stopping = await r.spawn('stopping');
    await fileAndApprove('UCY', 'request app 1h on call');
    await r.eventually(() => receiver.holders.has('cy'), "Cy's grant at the receiver");
    receiver.holdRevokes = true;
    await fileAndApprove('UANA', 'request app 2s quick look');
    await r.eventually(() => receiver.holders.has('ana'), "Ana's grant at the receiver");

    const held = await receiver.waitForHeld(15_000);
    expect(held.identity).toBe('ana');
    expect(stopping.owns((await grantOf('ana'))!.lease_owner)).toBe(true);

    stopping.signal('SIGTERM');
    await sleep(1_000);
    expect(stopping.alive).toBe(true); // waiting for the revoke in flight
    expect(stopping.logs.some((l) => l.msg === 'stopping: no new work is claimed; in-flight work finishes')).toBe(true);

    // Cy ends his access while the replica stops: recorded, but this replica no longer claims work.
    const release = await r.command(0, 'UCY', 'release app').response;
    expect(release.status).toBe(200);
    await r.eventually(async () => (await grantOf('cy'))!.status === 'revoking', "Cy's grant to be ending");
    await sleep(1_500); // longer than a wake takes to claim, on a replica that would still claim
    expect((await grantOf('cy'))!.lease_owner).toBeNull();

    await held.release();
    const exit = await Promise.race([stopping.exited, sleep(15_000).then(() => ({ code: 'still running', signal: null }))]);
    expect(exit, stopping.logText()).toEqual({ code: 0, signal: null });
    expect(await grantOf('ana')).toMatchObject({ status: 'revoked', lease_owner: null });
    expect(receiver.holders.has('ana')).toBe(false);
    expect(receiver.callsOf('revoke').map((c) => c.identity)).toEqual(['ana']);
    expect(await grantOf('cy')).toMatchObject({ status: 'revoking', lease_owner: null });
    expect(receiver.holders.has('cy')).toBe(true);
    expect(stopping.logs.some((l) => l.msg === 'unclean shutdown')).toBe(false);

    // The next replica picks up what the stopped one left.
    receiver.holdRevokes = false;
    await r.spawn('next');
    await r.eventually(async () => (await grantOf('cy'))!.status === 'revoked', "Cy's revocation by the next replica", 20_000);
    expect(receiver.holders.size).toBe(0);
  });
});
