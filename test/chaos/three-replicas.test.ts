import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/services/verify-audit-log.js';
import { ACTION, BLOCK, VIEW } from '../../src/slack/ids.js';
import { ChaosReceiver } from '../support/chaos-receiver.js';
import { RunningClock } from '../support/clock.js';
import { ADMIN_URL, postgresAvailable } from '../support/databases.js';
import { ReplicaSet, sleep } from '../support/replicas.js';
import { sendSigned, slashCommandBody } from '../support/slack-requests.js';

const available = await postgresAvailable();
const HOOK_SECRET = 'chaos-three-replicas-webhook-secret-0123456789';
const REQUESTERS = Array.from({ length: 30 }, (_, i) => ({ id: `U0REQ${String(i).padStart(2, '0')}`, name: `r${String(i).padStart(2, '0')}` }));
const APPROVERS = Array.from({ length: 20 }, (_, i) => `U0APP${String(i).padStart(2, '0')}`);
const HOUR = 3_600_000;

/**
 * Three Keycard replicas in this process share one PostgreSQL database, one fake Slack and a clock
 * that runs in real time (so cron fires for real) but can jump over a grant's hour and Slack's rate
 * windows. Whatever replica a request lands on, the outcome must be as if one Keycard ran.
 */
describe.skipIf(!available)('three replicas on one PostgreSQL behave as one', () => {
  const r = new ReplicaSet();
  const receiver = new ChaosReceiver(HOOK_SECRET);
  const clock = new RunningClock();
  let role: string;
  const identities = new Map<string, string>(); // Slack id → PostgreSQL role

  beforeAll(async () => {
    await receiver.start();
    role = await r.createRole('ro', false);
    for (const person of REQUESTERS) {
      const login = await r.createRole(person.name, true);
      identities.set(person.id, login);
      r.slack.addUser({ id: person.id, name: person.name, email: `${login}@example.com` });
    }
    r.slack.addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' }).addUser({ id: 'UDENY', name: 'Dee Nye', email: 'dee@example.com' });
    for (const id of APPROVERS) r.slack.addUser({ id, name: id, email: `${id.toLowerCase()}@example.com` });
    await r.prepare(
      `
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
  app-hook: { kind: webhook, url: env:APP_HOOK_URL, secret: env:APP_HOOK_SECRET }
resources:
  db:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 2h }
  app:
    provider: app-hook
    grant: { entitlement: admin }
    approvers: [${[...APPROVERS, 'UDENY'].join(', ')}]
    duration: { default: 1h, max: 2h }
`,
      { TARGET_PG_URL: ADMIN_URL, APP_HOOK_URL: receiver.url, APP_HOOK_SECRET: HOOK_SECRET },
    );
    // All three start at the same moment on an empty database, as a rolling deploy's first boot would.
    await r.startInProcess(3, { clock });
  });
  afterAll(async () => {
    try {
      await r.stop();
    } finally {
      await receiver.stop();
    }
  });

  /**
   * Waits until `done` holds and the outbox is empty. When every undelivered message is waiting for a
   * Slack rate window (the shared budget is spent), the clock jumps to that window instead of sleeping.
   */
  async function settle(done: () => Promise<boolean>, what: string): Promise<void> {
    await r.eventually(
      async () => {
        const [row] = await r.sql<{ pending: number; next: Date | null }>(
          `SELECT count(*)::int AS pending, min(available_at) AS next FROM outbox WHERE delivered_at IS NULL`,
        );
        if (row!.pending === 0) return done();
        if (row!.next && row!.next.getTime() > clock.now().getTime() + 1_000) clock.advance(row!.next.getTime() - clock.now().getTime());
        return false;
      },
      what,
      45_000,
      100,
    );
  }

  it('activates and revokes 30 grants once each, notifies once, and keeps one audit chain', async () => {
    // Each request is approved the moment it exists, on another replica than the one that filed it, so
    // the request's messages and its decision's are delivered by different replicas at the same time.
    const fileAndApprove = async (person: (typeof REQUESTERS)[number], i: number) => {
      const filed = await r.command(i, person.id, 'request db 1h chaos run').response;
      expect(filed.status).toBe(200);
      let id: string | undefined;
      await r.eventually(async () => {
        id = (await r.sql<{ id: string }>(`SELECT id FROM requests WHERE requester_id = '${person.id}' AND resource = 'db'`))[0]?.id;
        return id !== undefined;
      }, `${person.id}'s request`);
      const approved = await r.click(i + 1, 'UBOB', ACTION.approve, id!).response;
      expect(approved.status).toBe(200);
    };
    await Promise.all(REQUESTERS.map(fileAndApprove));
    await r.eventually(
      async () => (await r.sql(`SELECT id FROM requests WHERE resource = 'db' AND status = 'approved'`)).length === REQUESTERS.length,
      'every request approved',
    );

    const activeCount = async () => Number((await r.sql<{ n: number }>(`SELECT count(*)::int AS n FROM grants WHERE resource = 'db' AND status = 'active'`))[0]!.n);
    await settle(async () => (await activeCount()) === REQUESTERS.length, 'every grant active and every notification delivered');
    expect(await r.membersOf(role)).toEqual([...identities.values()].sort());

    clock.advance(HOUR + 1_000);
    const revokedCount = async () => Number((await r.sql<{ n: number }>(`SELECT count(*)::int AS n FROM grants WHERE resource = 'db' AND status = 'revoked'`))[0]!.n);
    await settle(async () => (await revokedCount()) === REQUESTERS.length, 'every grant revoked and every notification delivered');
    expect(await r.membersOf(role)).toEqual([]);

    // Each grant activated once and revoked once, whichever replica claimed it.
    const events = await r.sql<{ action: string; subject_id: string; n: number }>(
      `SELECT action, subject_id, count(*)::int AS n FROM audit_events WHERE action IN ('grant.activated', 'grant.revoked') GROUP BY action, subject_id`,
    );
    const grants = await r.sql<{ id: string }>(`SELECT id FROM grants WHERE resource = 'db'`);
    expect(grants).toHaveLength(REQUESTERS.length);
    for (const action of ['grant.activated', 'grant.revoked']) {
      const of = events.filter((e) => e.action === action);
      expect(of.map((e) => e.subject_id).sort()).toEqual(grants.map((g) => g.id).sort());
      expect(of.every((e) => e.n === 1)).toBe(true);
    }
    const decisions = await r.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'request.approved'`);
    expect(decisions[0]!.n).toBe(REQUESTERS.length);

    // Each copy of each message posted once: every post stored its ts, and no copy was posted twice.
    const posts = r.slack.callsOf('chat.postMessage');
    const stored = await r.sql<{ n: number }>(`SELECT count(*)::int AS n FROM slack_messages`);
    expect(posts).toHaveLength(stored[0]!.n);
    // Bob's copy is posted only while a request waits for him: one decided first is not posted late.
    const bobCopies = await r.sql<{ n: number }>(`SELECT count(*)::int AS n FROM slack_messages WHERE audience = 'approver:UBOB'`);
    expect(r.slack.messagesIn('UBOB')).toHaveLength(bobCopies[0]!.n);
    // Every copy shows the final state: no older render was written over a newer one.
    expect(r.slack.messagesIn('UBOB').every((m) => m.text.startsWith('Ended:') && !m.blocks.some((b) => b.type === 'actions'))).toBe(true);
    for (const person of REQUESTERS) {
      // The request's copy (edited to its end), then one notice each: decided, active, ended.
      const texts = r.slack.messagesIn(person.id).map((m) => m.text);
      expect(texts, person.id).toHaveLength(4);
      expect(texts.filter((t) => /^Ended: you asked for db/.test(t)), person.id).toHaveLength(1);
      for (const notice of [/^Approved: db/, /^Active: db/, /^Ended: db$/]) expect(texts.filter((t) => notice.test(t)), person.id).toHaveLength(1);
    }

    const verdict = await verifyAuditLog(r.keycards[0]!.deps.store.audit);
    expect(verdict).toMatchObject({ ok: true });
  });

  it('20 concurrent Approve clicks and one Deny over three replicas make one decision, one provider grant, one decision event', async () => {
    await (await r.command(0, REQUESTERS[0]!.id, 'request app 1h race across replicas').response).text();
    await r.eventually(async () => (await r.sql(`SELECT id FROM requests WHERE resource = 'app'`)).length === 1, 'the app request');
    const [{ id }] = (await r.sql<{ id: string }>(`SELECT id FROM requests WHERE resource = 'app'`)) as [{ id: string }];

    const clicks = APPROVERS.map((approver, i) => r.click(i, approver, ACTION.approve, id));
    const deny = r.submitView(1, 'UDENY', VIEW.denyReason, { [BLOCK.denyReason]: { value: { type: 'plain_text_input', value: 'not today' } } }, id);
    const responses = await Promise.all([...clicks.map((c) => c.response), deny]);
    expect(responses.every((res) => res.status === 200)).toBe(true);

    const status = async () => (await r.sql<{ status: string }>(`SELECT status FROM requests WHERE id = '${id}'`))[0]!.status;
    await r.eventually(async () => (await status()) !== 'pending', 'a decision');
    const replies = () => clicks.flatMap((c) => r.slack.responsesTo(c.responseName)).map((res) => String(res.text));
    await r.slack.waitFor(() => replies().length >= APPROVERS.length - 1, 'replies to the losing clicks');
    const outcome = await status();
    if (outcome === 'approved') {
      await r.eventually(async () => (await r.sql(`SELECT id FROM grants WHERE request_id = '${id}' AND status = 'active'`)).length === 1, 'the grant active');
    }
    await settle(async () => true, 'notifications delivered');

    const decisions = await r.sql(`SELECT id FROM audit_events WHERE subject_id = '${id}' AND action IN ('request.approved', 'request.denied')`);
    expect(decisions).toHaveLength(1);
    const grants = await r.sql<{ id: string; status: string }>(`SELECT id, status FROM grants WHERE request_id = '${id}'`);
    if (outcome === 'approved') {
      expect(grants.map((g) => g.status)).toEqual(['active']);
      expect(receiver.callsOf('grant')).toHaveLength(1); // one provider call, whichever replica activated it
      expect([...receiver.holders]).toEqual([identities.get(REQUESTERS[0]!.id)]);
      expect(await r.sql(`SELECT id FROM audit_events WHERE action = 'grant.activated' AND subject_id = '${grants[0]!.id}'`)).toHaveLength(1);
    } else {
      expect(outcome).toBe('denied');
      expect(grants).toEqual([]);
      expect(receiver.callsOf('grant')).toHaveLength(0);
    }
    expect(replies().every((text) => /already (approved|denied) by <@U/.test(text))).toBe(true);
    expect(await verifyAuditLog(r.keycards[0]!.deps.store.audit)).toMatchObject({ ok: true });
  });

  it('handles a signed request sent to all three replicas at once only once, and refuses a future-dated one, auditing each refusal', async () => {
    const refusals = async (action: string) => r.sql<{ data: { reason: string } }>(`SELECT data FROM audit_events WHERE action = '${action}'`);
    const person = REQUESTERS[1]!;
    const body = slashCommandBody(r.target(0), { userId: person.id, text: 'request app 1h replayed everywhere', responseUrl: r.slack.responseUrl('replayed') });
    const timestamp = Math.floor(Date.now() / 1000);
    const statuses = (await Promise.all([0, 1, 2].map((i) => sendSigned(r.target(i), body, { timestamp })))).map((res) => res.status).sort();
    expect(statuses).toEqual([200, 401, 401]);
    await r.eventually(async () => (await refusals('slack.replay_refused')).length === 2, 'two audited replays');
    await r.eventually(async () => (await r.sql(`SELECT id FROM requests WHERE requester_id = '${person.id}' AND resource = 'app'`)).length === 1, 'the request');
    await sleep(300);
    expect(await r.sql(`SELECT id FROM requests WHERE requester_id = '${person.id}' AND resource = 'app'`)).toHaveLength(1);

    const future = slashCommandBody(r.target(2), { userId: person.id, text: 'help', responseUrl: r.slack.responseUrl('future') });
    expect((await sendSigned(r.target(2), future, { timestamp: timestamp + 5 * 60 })).status).toBe(401);
    await r.eventually(async () => (await refusals('slack.future_timestamp_refused')).length === 1, 'the audited future timestamp');
    expect(r.slack.responsesTo('future')).toEqual([]);
  });
});
