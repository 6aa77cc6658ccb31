import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { visibleText } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';
import { ACTION } from '../../src/slack/ids.js';

const available = await postgresAvailable();

describe.skipIf(!available)('request → approver DM → Approve → real PostgreSQL role → expiry → revoked', () => {
  const h = new Harness();
  let readonlyRole: string;
  let ana: string;
  let requestId: string;

  beforeAll(async () => {
    readonlyRole = await h.createRole('ro', false);
    ana = await h.createRole('ana', true);
    h.slack
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' })
      .addUser({ id: 'UCY', name: 'Cy Park', email: 'cy@example.com' });
    await h.start(`
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
groups:
  db-owners: [UBOB, UCY]
resources:
  prod-db-readonly:
    description: Production database, read-only
    provider: target-pg
    grant: { role: ${readonlyRole} }
    owners: [group:db-owners]
    approvers: [group:db-owners, UANA]
    duration: { default: 1h, max: 4h }
`);
  });
  afterAll(() => h.stop());

  it('answers the requester privately at once and DMs each approver with Approve and Deny', async () => {
    const { responseName, response } = h.command('UANA', 'request prod-db-readonly 1h investigating INC-42');
    expect((await response).status).toBe(200);
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'the ephemeral reply');
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/prod-db-readonly/);
    expect(reply.text).toMatch(/1 hour/);
    expect(reply.text).toMatch(/<@UBOB>/);
    await h.settle();

    for (const approver of ['UBOB', 'UCY']) {
      const [dm] = h.slack.messagesIn(approver);
      expect(dm, `DM to ${approver}`).toBeDefined();
      const text = visibleText(dm!);
      expect(text).toContain('<@UANA>');
      expect(text).toContain('prod-db-readonly');
      expect(text).toContain('1 hour');
      expect(text).toContain('investigating INC-42');
      const buttons = dm!.blocks.find((b) => b.type === 'actions')?.elements as Array<{ text: { text: string }; value: string }>;
      expect(buttons.map((b) => b.text.text)).toEqual(['Approve', 'Deny']);
      requestId = buttons[0]!.value;
    }
    // The requester is listed as an approver in the policy but never asked to approve their own request.
    const requesterButtons = h.slack.messagesIn('UANA').flatMap((m) => m.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as Array<{ action_id: string }>));
    expect(requesterButtons.map((b) => b.action_id)).toEqual([ACTION.cancel]);
    const rows = await h.sql<{ action: string }>(`SELECT action FROM audit_events ORDER BY id`);
    expect(rows.map((r) => r.action)).toContain('request.submitted');
  });

  it('refuses self-approval even though the requester is listed as an approver', async () => {
    const { responseName, response } = h.click('UANA', ACTION.approve, requestId);
    expect((await response).status).toBe(200);
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'self-approval reply');
    expect(reply.text).toMatch(/cannot approve your own request/);
    const [request] = await h.sql<{ status: string }>(`SELECT status FROM requests WHERE id = '${requestId}'`);
    expect(request!.status).toBe('pending');
    const refused = await h.sql<{ actor: string }>(`SELECT actor FROM audit_events WHERE action = 'request.vote_refused'`);
    expect(refused.map((r) => r.actor)).toContain('UANA');
  });

  it('grants the role on approval, with the window counted from activation', async () => {
    expect(await h.hasRole(ana, readonlyRole)).toBe(false);
    h.clock.advance(10 * 60_000); // approved ten minutes after the request
    const approvedAt = h.clock.now();
    await (await h.click('UBOB', ACTION.approve, requestId)).response;
    await h.eventually(async () => (await h.requestStatus(requestId)) === 'approved', 'the approval');
    await h.settle();

    expect(await h.hasRole(ana, readonlyRole)).toBe(true);
    const [grant] = await h.sql<{ status: string; activated_at: Date; expires_at: Date }>(`SELECT * FROM grants WHERE request_id = '${requestId}'`);
    expect(grant!.status).toBe('active');
    expect(grant!.activated_at.getTime()).toBe(approvedAt.getTime());
    expect(grant!.expires_at.getTime() - grant!.activated_at.getTime()).toBe(3_600_000);

    for (const approver of ['UBOB', 'UCY']) {
      const [dm] = h.slack.messagesIn(approver);
      expect(dm!.updates).toBeGreaterThan(0);
      expect(dm!.blocks.some((b) => b.type === 'actions')).toBe(false);
      expect(visibleText(dm!)).toMatch(/Approved\* by <@UBOB>/);
      expect(visibleText(dm!)).toMatch(/Active\* until/);
    }
    const anaTexts = h.slack.messagesIn('UANA').map(visibleText).join('\n');
    expect(anaTexts).toMatch(/approved\* by <@UBOB>/);
    expect(anaTexts).toMatch(/is \*active\* as/);
  });

  it('tells a later clicker who already decided, and changes nothing', async () => {
    const { responseName, response } = h.click('UCY', ACTION.approve, requestId);
    await response;
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'already decided reply');
    expect(reply.text).toMatch(/already approved by <@UBOB>/);
    const grants = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM grants WHERE request_id = '${requestId}'`);
    expect(grants[0]!.n).toBe(1);
  });

  it('revokes the role when the window ends and tells the holder', async () => {
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    expect(await h.hasRole(ana, readonlyRole)).toBe(true); // not yet due

    h.clock.advance(60 * 60_000 + 1_000);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.settle();

    expect(await h.hasRole(ana, readonlyRole)).toBe(false);
    const [grant] = await h.sql<{ status: string }>(`SELECT status FROM grants WHERE request_id = '${requestId}'`);
    expect(grant!.status).toBe('revoked');
    expect(h.slack.messagesIn('UANA').map(visibleText).join('\n')).toMatch(/access to `prod-db-readonly` \*ended\*/);
    const actions = (await h.sql<{ action: string }>(`SELECT action FROM audit_events ORDER BY id`)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['request.approved', 'grant.created', 'grant.activated', 'grant.expired', 'grant.revoked']));
  });
});
