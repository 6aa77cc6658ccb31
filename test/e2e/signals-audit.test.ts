import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSignal } from '../../src/http/signals-route.js';
import { postgresAvailable } from '../support/databases.js';
import { visibleText } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';
import { sendEvent, sendSigned, sign, slashCommandBody } from '../support/slack-requests.js';

const available = await postgresAvailable();
const SIGNALS_TOKEN = 'e2e-signals-token-0123456789abcdef';
const AUDIT_TOKEN = 'e2e-audit-token-0123456789abcdef';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.skipIf(!available)('signals change access; movers in Slack user groups; the audit log read, exported and streamed', () => {
  const h = new Harness();
  const streamed: string[] = [];
  let siem: Server;
  let role: string;
  let ana: string;
  let cy: string;

  const base = () => `http://127.0.0.1:${h.keycard.port}`;

  /** A signal as a SIEM sends it: bearer token, timestamp and HMAC over the exact body. */
  async function signal(body: unknown, options: { token?: string; timestamp?: number; signature?: string } = {}): Promise<{ status: number; body: Json }> {
    const raw = JSON.stringify(body);
    const timestamp = options.timestamp ?? Math.floor(h.clock.now().getTime() / 1000);
    const response = await fetch(`${base()}/api/v1/signals`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.token ?? SIGNALS_TOKEN}`,
        'content-type': 'application/json',
        'x-keycard-timestamp': String(timestamp),
        'x-keycard-signature': options.signature ?? signSignal(SIGNALS_TOKEN, timestamp, raw),
      },
      body: raw,
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  async function grantFor(userId: string, resource: string): Promise<void> {
    const { responseName, response } = h.command(userId, `request ${resource} 1h work`);
    await response;
    await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'reply');
    await h.settle();
  }

  const replyTo = async (userId: string, text: string) => {
    const { responseName, response } = h.command(userId, text);
    await response;
    return (await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], `reply to ${text}`)) as Json;
  };

  beforeAll(async () => {
    siem = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        streamed.push(...body.trim().split('\n'));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => siem.listen(0, '127.0.0.1', resolve));
    role = await h.createRole('ro', false);
    ana = await h.createRole('ana', true);
    cy = await h.createRole('cy', true);
    h.slack
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` })
      .addUser({ id: 'UCY', name: 'Cy Park', email: `${cy}@example.com` })
      .addUser({ id: 'UADMIN', name: 'Ada Admin', email: 'ada@example.com' })
      .setUsergroup('S0ENG', ['UANA', 'UCY']);
    await h.start(
      `
settings:
  security_channel: C0SECURITY
  admins: [UADMIN]
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
resources:
  prod-db:
    provider: target-pg
    grant: { role: ${role} }
    owners: [UADMIN]
    requesters: [usergroup:S0ENG]
    duration: { default: 1h, max: 4h }
    auto_approve: [{ name: engineers }]
signals:
  - name: account-compromise
    when: { severity: [high, critical] }
    revoke_grants: true
    freeze_requests: 24h
    notify_security: true
  - name: low-noise
    when: { severity: [low] }
    notify_security: false
`,
      { SIGNALS_TOKEN, AUDIT_TOKEN, AUDIT_STREAM: `http://127.0.0.1:${(siem.address() as AddressInfo).port}/ingest` },
    );
  });

  afterAll(async () => {
    await h.stop();
    await new Promise((resolve) => siem.close(resolve));
  });

  it('a critical signal revokes the person’s real grant, freezes their requests and tells security, and says so', async () => {
    await grantFor('UANA', 'prod-db');
    expect(await h.hasRole(ana, role)).toBe(true);

    const { status, body } = await signal({ id: 'alert-1001', principal: { email: `${ana}@example.com` }, severity: 'critical', type: 'impossible_travel', summary: 'Login from two continents in 5 minutes' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      signal: 'alert-1001',
      principal: { slack_user_ids: ['UANA'] },
      rule: 'account-compromise',
      actions: { grants_revoked: [expect.objectContaining({ resource: 'prod-db', provider: 'target-pg' })], security_notified: true },
    });
    expect(new Date(body.actions.requests_frozen_until).getTime()).toBe(h.clock.now().getTime() + 24 * 3_600_000);

    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.eventually(async () => !(await h.hasRole(ana, role)), 'role revoked');
    const [grant] = await h.sql<Json>(`SELECT status, end_reason FROM grants WHERE holder_id = 'UANA'`);
    expect(grant).toEqual({ status: 'revoked', end_reason: 'security signal: impossible_travel (critical)' });
    await h.settle();
    expect(h.slack.messagesIn('C0SECURITY').map(visibleText).join('\n')).toMatch(/Security signal\* `impossible_travel` \(critical\)/);
  });

  it('refuses the frozen person’s new requests with a specific message; it lifts when the freeze ends', async () => {
    expect(String((await replyTo('UANA', 'request prod-db 1h still working')).text)).toMatch(/not accepting access requests from you until/);
    expect((await h.sql(`SELECT 1 FROM requests WHERE requester_id = 'UANA' AND reason = 'still working'`)).length).toBe(0);
    h.clock.advance(24 * 3_600_000 + 1_000);
    expect(String((await replyTo('UANA', 'request prod-db 1h back to work')).text)).not.toMatch(/not accepting/);
  });

  it('refuses a replayed signal id (409), a stale timestamp, a bad signature and a bad token (401), and audits each', async () => {
    const again = await signal({ id: 'alert-1001', principal: { email: `${ana}@example.com` }, severity: 'critical', type: 'impossible_travel' });
    expect(again.status).toBe(409);
    const now = Math.floor(h.clock.now().getTime() / 1000);
    expect((await signal({ id: 'alert-2', principal: { slack_user_id: 'UANA' }, severity: 'high', type: 'x' }, { timestamp: now - 600 })).status).toBe(401);
    expect((await signal({ id: 'alert-3', principal: { slack_user_id: 'UANA' }, severity: 'high', type: 'x' }, { signature: 'v1=deadbeef' })).status).toBe(401);
    expect((await signal({ id: 'alert-4', principal: { slack_user_id: 'UANA' }, severity: 'high', type: 'x' }, { token: 'wrong-token-wrong-token-wrong' })).status).toBe(401);
    const unknown = await signal({ id: 'alert-5', principal: { email: 'nobody@example.com' }, severity: 'high', type: 'x' });
    expect(unknown.status).toBe(404);
    expect((await signal({ id: 'alert-5b', principal: { slack_user_id: 'U0NOBODY' }, severity: 'high', type: 'x' })).status).toBe(404);
    expect((await signal({ id: 'alert-6', principal: { email: 'not-an-email' }, severity: 'urgent', type: 'x' })).status).toBe(400);

    await h.eventually(async () => (await h.sql(`SELECT 1 FROM audit_events WHERE action = 'signals.auth_refused'`)).length >= 1, 'auth refusals audited');
    const refusals = await h.sql<Json>(`SELECT action, data FROM audit_events WHERE action IN ('signal.refused', 'signals.auth_refused') ORDER BY id`);
    expect(refusals.filter((r) => r.action === 'signal.refused').map((r) => r.data.code)).toEqual(['signal_replayed', 'unknown_principal', 'unknown_principal']);
    // Three bad requests from one address within a second: at least the first is written, the rest counted.
    const auth = refusals.filter((r) => r.action === 'signals.auth_refused');
    expect(auth[0]!.data.reason).toBe('stale_timestamp');
  });

  it('a low-severity signal is recorded and answered, and changes nothing', async () => {
    const { status, body } = await signal({ id: 'alert-7', principal: { slack_user_id: 'UCY' }, severity: 'low', type: 'new_device' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ rule: 'low-noise', actions: { grants_revoked: [], requests_frozen_until: null, security_notified: false } });
  });

  it('a mover in Slack: leaving the user group the policy requires ends the grant (subteam_members_changed)', async () => {
    await grantFor('UCY', 'prod-db');
    expect(await h.hasRole(cy, role)).toBe(true);
    // Slack's list changes and the event carries the delta. Keycard cached the old list a moment ago (Cy's
    // request): the event must drop it, or Cy could ask again at once and keep the access.
    h.slack.setUsergroup('S0ENG', ['UANA']);
    const response = await sendEvent(h.target, { type: 'subteam_members_changed', subteam_id: 'S0ENG', team_id: h.slack.teamId, date_previous_update: 1446670362, date_update: 1492906952, added_users: [], added_users_count: '0', removed_users: ['UCY'], removed_users_count: '1' });
    expect(response.status).toBe(200);
    await h.eventually(async () => !(await h.hasRole(cy, role)), 'Cy’s role revoked', 5_000);
    const [grant] = await h.sql<Json>(`SELECT end_reason FROM grants WHERE holder_id = 'UCY'`);
    expect(grant!.end_reason).toBe('no longer allowed by the policy (left Slack user group S0ENG)');

    expect(String((await replyTo('UCY', 'request prod-db 1h again')).text)).toMatch(/does not let you request/);
  });

  it('audits a bad Slack signature on /slack/events', async () => {
    const body = slashCommandBody(h.target, { userId: 'UANA', text: 'list', responseUrl: h.slack.responseUrl('forged') });
    expect((await sendSigned(h.target, body, { signature: sign('wrong-secret', Math.floor(Date.now() / 1000), body) })).status).toBe(401);
    await h.eventually(async () => (await h.sql(`SELECT 1 FROM audit_events WHERE action = 'slack.signature_refused'`)).length === 1, 'signature refusal audited');
    const [row] = await h.sql<Json>(`SELECT subject_type, data FROM audit_events WHERE action = 'slack.signature_refused'`);
    expect(row).toMatchObject({ subject_type: 'slack', data: { reason: 'bad_signature' } });
  });

  it('/access audit shows admins a person’s trail and a resource’s, and refuses anyone else (audited)', async () => {
    const trail = await replyTo('UADMIN', 'audit <@UANA|ana>');
    const text = JSON.stringify(trail.blocks);
    expect(text).toContain('grant.revoked_by_signal');
    expect(text).toContain('signal.received');
    expect(JSON.stringify((await replyTo('UADMIN', 'audit prod-db')).blocks)).toContain('grant.activated');
    expect(String((await replyTo('UANA', 'audit prod-db')).text)).toMatch(/Only Keycard admins/);
    expect(String((await replyTo('UADMIN', 'audit @ana')).text)).toMatch(/member ID/);
    const refused = await h.sql<Json>(`SELECT actor FROM audit_events WHERE action = 'audit.query_refused'`);
    expect(refused.map((r) => r.actor)).toEqual(['UANA']);
  });

  it('exports the log as JSON lines and CSV with filters, behind its own token', async () => {
    const get = (query: string, token = AUDIT_TOKEN) => fetch(`${base()}/api/v1/audit${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get('', 'wrong-token-wrong-token-wrong')).status).toBe(401);
    expect((await get('?from=yesterday')).status).toBe(400);

    const all = await get('');
    expect(all.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await all.text()).trim().split('\n').map((l) => JSON.parse(l) as Json);
    expect(lines.length).toBeGreaterThan(10);
    lines.slice(1).forEach((line, i) => expect(line.prev_hash).toBe(lines[i]!.hash)); // the export is the chain

    const bySignal = (await (await get('?action=grant.revoked_by_signal')).text()).trim().split('\n').map((l) => JSON.parse(l) as Json);
    expect(bySignal).toHaveLength(1);
    expect(bySignal[0]!.actor).toBe('api:signals');
    const byActor = (await (await get(`?actor=UADMIN&action=audit.*`)).text()).trim().split('\n').map((l) => JSON.parse(l) as Json);
    expect(new Set(byActor.map((l) => l.action))).toEqual(new Set(['audit.queried']));
    const future = await get(`?from=${encodeURIComponent(new Date(Date.now() + 3_600_000 * 48).toISOString())}`);
    expect((await future.text()).trim()).toBe('');

    const csv = await (await get('?format=csv&subject=UANA')).text();
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header).toBe('id,at,actor,action,subject_type,subject_id,data,prev_hash,hash');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes(',UANA,') || r.includes('principal'))).toBe(true);
  });

  it('streams every audit event as a JSON line to the SIEM webhook, in order', async () => {
    await h.keycard.scheduler.runNow('stream-audit-events');
    await h.keycard.scheduler.runNow('stream-audit-events');
    const [count] = await h.sql<Json>(`SELECT max(id)::int AS n FROM audit_events`);
    await h.eventually(async () => {
      await h.keycard.scheduler.runNow('stream-audit-events');
      return streamed.length >= count!.n;
    }, 'all events streamed');
    const events = streamed.map((l) => JSON.parse(l) as Json);
    expect(events.every((e) => e.type === 'keycard.audit_event')).toBe(true);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    expect(events.map((e) => e.action)).toContain('signal.received');
  });
});
