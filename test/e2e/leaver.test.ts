import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { visibleText } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';
import { MARIADB_URL, MariadbAccounts, mariadbAvailable } from '../support/mariadb.js';
import { sendEvent } from '../support/slack-requests.js';

const available = (await postgresAvailable()) && (await mariadbAvailable());
const SCIM_TOKEN = 'e2e-scim-token-0123456789abcdef';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe.skipIf(!available)('leavers lose everything at once: SCIM deactivation and Slack deactivation, real PostgreSQL and MariaDB', () => {
  const h = new Harness();
  const my = new MariadbAccounts();
  let pgRole: string;
  let myRole: string;
  let ana: string;
  let dan: string;
  let fay: string;
  let scimId: string;

  /** A SCIM call as Okta makes it (headers from Okta's SCIM guide). */
  const scim = (method: string, path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${h.keycard.port}/scim/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${SCIM_TOKEN}`,
        accept: 'application/scim+json',
        'user-agent': 'Okta SCIM Client 1.0.0',
        ...(body ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  const grantsOf = (holder: string) => h.sql<{ id: string; resource: string; status: string; end_reason: string | null }>(`SELECT id, resource, status, end_reason FROM grants WHERE holder_id = '${holder}' ORDER BY resource`);
  const securityPosts = () => h.slack.messagesIn('C0SECURITY');

  async function autoGrant(userId: string, resource: string): Promise<void> {
    const { responseName, response } = h.command(userId, `request ${resource} 1h on-call work`);
    await response;
    await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], `reply to ${userId}`);
    await h.settle();
  }

  beforeAll(async () => {
    pgRole = await h.createRole('ro', false);
    ana = await h.createRole('ana', true);
    dan = await h.createRole('dan', true);
    fay = await h.createRole('fay', true);
    myRole = await my.createRole('kc_e2e_myrole');
    await my.createUser(ana);
    await my.createUser(dan);
    h.slack
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` })
      .addUser({ id: 'UDAN', name: 'Dan Ruiz', email: `${dan}@example.com` })
      .addUser({ id: 'UFAY', name: 'Fay Wong', email: `${fay}@example.com` })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' })
      .addUser({ id: 'UCY', name: 'Cy Park', email: 'cy@example.com' })
      .addUser({ id: 'UOWN', name: 'Olga Owner', email: 'olga@example.com' });
    await h.start(
      `
settings:
  security_channel: C0SECURITY
  admins: [UOWN]
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
  target-my: { kind: mysql, url: env:TARGET_MYSQL_URL }
groups:
  access-reviewers: [UANA]
reviews:
  quarterly:
    schedule: "0 9 1 */3 *"
    resources: [pg-ro]
    reviewer: group:access-reviewers
    due: 7d
    on_no_response: escalate
resources:
  pg-ro:
    provider: target-pg
    grant: { role: ${pgRole} }
    owners: [UOWN]
    duration: { default: 1h, max: 4h }
    auto_approve: [{ name: standing-team }]
  my-ro:
    provider: target-my
    grant: { role: ${myRole} }
    owners: [UOWN]
    duration: { default: 1h, max: 4h }
    auto_approve: [{ name: standing-team }]
  needs-bob:
    provider: target-pg
    grant: { role: ${pgRole} }
    owners: [UOWN]
    approvers: [UBOB]
    duration: { default: 1h, max: 4h }
  ana-approves:
    provider: target-pg
    grant: { role: ${pgRole} }
    owners: [UOWN]
    approvers: [UANA]
    duration: { default: 1h, max: 4h }
  ana-or-cy-approves:
    provider: target-pg
    grant: { role: ${pgRole} }
    owners: [UOWN]
    approvers: [UANA, UCY]
    duration: { default: 1h, max: 4h }
`,
      { SCIM_TOKEN, TARGET_MYSQL_URL: MARIADB_URL },
    );
  });

  afterAll(async () => {
    await h.stop();
    await my.drop();
  });

  it('records the joiner from Okta’s create payload and links them to Slack by email', async () => {
    const response = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `${ana}@example.com`,
      name: { givenName: 'Ana', familyName: 'Lopez' },
      emails: [{ primary: true, value: `${ana}@example.com`, type: 'work' }],
      displayName: 'Ana Lopez',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    scimId = String(body.id);
    expect(body).not.toHaveProperty('password');
    const [row] = await h.sql<{ slack_user_id: string; email: string; active: boolean }>(`SELECT slack_user_id, email, active FROM directory_users WHERE id = '${scimId}'`);
    expect(row).toEqual({ slack_user_id: 'UANA', email: `${ana}@example.com`, active: true });
  });

  it('sets the scene: real grants on PostgreSQL and MariaDB, a pending request, and requests Ana must approve', async () => {
    await autoGrant('UANA', 'pg-ro');
    await autoGrant('UANA', 'my-ro');
    expect(await h.hasRole(ana, pgRole)).toBe(true);
    expect(await my.hasRole(ana, myRole)).toBe(true);
    await (await h.command('UANA', 'request needs-bob 1h checking a report')).response;
    await (await h.command('UBOB', 'request ana-approves 1h migration')).response;
    await (await h.command('UBOB', 'request ana-or-cy-approves 1h migration')).response;
    await h.eventually(async () => (await h.sql(`SELECT 1 FROM requests WHERE status = 'pending'`)).length === 3, 'three pending requests');
    await h.settle();
    expect(h.slack.messagesIn('UANA').some((m) => visibleText(m).includes('ana-approves'))).toBe(true);

    // Ana also reviews Dan's access in a running campaign.
    await autoGrant('UDAN', 'pg-ro');
    await (await h.command('UOWN', 'review start quarterly')).response;
    await h.eventually(async () => (await h.sql(`SELECT 1 FROM review_campaigns`)).length === 1, 'campaign filed');
    await h.keycard.scheduler.runNow('build-review-campaigns');
    await h.eventually(async () => (await h.sql(`SELECT 1 FROM review_items WHERE reviewer_id = 'UANA' AND status = 'pending'`)).length > 0, 'Ana has items to review');
  });

  it('Okta’s deactivation PATCH revokes every grant at the provider, cancels and reassigns requests, and tells security', async () => {
    const response = await scim('PATCH', `/Users/${scimId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { active: boolean }).active).toBe(false);

    // Already marked for revocation when the SCIM call returns; never `revoked` before the provider confirms.
    const marked = await grantsOf('UANA');
    expect(marked.filter((g) => g.resource !== 'needs-bob').map((g) => g.status).every((s) => s === 'revoking' || s === 'revoked')).toBe(true);

    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.eventually(async () => (await grantsOf('UANA')).every((g) => g.status === 'revoked'), 'grants revoked');
    expect(await h.hasRole(ana, pgRole)).toBe(false);
    expect(await my.hasRole(ana, myRole)).toBe(false);
    for (const grant of await grantsOf('UANA')) expect(grant.end_reason).toMatch(/deactivated in the identity provider/);

    const requests = await h.sql<{ resource: string; status: string; approver_ids: string[]; decision_reason: string | null }>(`SELECT resource, status, approver_ids, decision_reason FROM requests WHERE resource IN ('needs-bob', 'ana-approves', 'ana-or-cy-approves') ORDER BY resource`);
    expect(requests).toEqual([
      { resource: 'ana-approves', status: 'pending', approver_ids: [], decision_reason: null },
      { resource: 'ana-or-cy-approves', status: 'pending', approver_ids: ['UCY'], decision_reason: null },
      { resource: 'needs-bob', status: 'cancelled', approver_ids: ['UBOB'], decision_reason: 'deactivated in the identity provider (SCIM)' },
    ]);

    await h.settle();
    const summary = securityPosts().map(visibleText).join('\n');
    expect(summary).toMatch(/Offboarded/);
    expect(summary).toContain('pg-ro');
    expect(summary).toContain('my-ro');
    expect(summary).toMatch(/too few approvers left/);
    // The owner hears that a request has nobody left to approve it; Bob's copy of the cancelled request lost its buttons.
    expect(h.slack.messagesIn('UOWN').map(visibleText).join('\n')).toMatch(/ana-approves.*lost an approver/s);
    const bobCopy = h.slack.messagesIn('UBOB').find((m) => visibleText(m).includes('needs-bob'))!;
    expect(bobCopy.blocks.some((b) => b.type === 'actions')).toBe(false);

    // Her review items went a level up, to the owner, and the summary says so.
    expect(await h.sql(`SELECT 1 FROM review_items WHERE reviewer_id = 'UANA' AND status = 'pending'`)).toHaveLength(0);
    expect((await h.sql(`SELECT 1 FROM review_items WHERE reviewer_id = 'UOWN' AND status = 'pending'`)).length).toBeGreaterThan(0);
    expect(summary).toMatch(/Review items handed to another reviewer:\* \d/);

    const actions = (await h.sql<{ action: string }>(`SELECT action FROM audit_events ORDER BY id`)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['review.items_reassigned', 'directory.user_created', 'directory.user_updated', 'grant.revoked_by_offboarding', 'request.cancelled', 'request.approvers_reassigned', 'principal.offboarded', 'grant.revoked']));
  });

  it('refuses the leaver’s new requests, and a retried deactivation changes and posts nothing', async () => {
    const { responseName, response } = h.command('UANA', 'request pg-ro 1h one more thing');
    await response;
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'refusal');
    expect(String(reply.text)).toMatch(/being offboarded/);

    const posts = securityPosts().length;
    expect((await scim('PATCH', `/Users/${scimId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] })).status).toBe(200);
    await h.settle();
    expect(securityPosts()).toHaveLength(posts);
    expect((await scim('GET', `/Users/${scimId}`)).status).toBe(200); // still returned while inactive (Entra requires it)
  });

  it('Entra’s hard delete (DELETE /Users/{id}) offboards first, then the user is gone', async () => {
    const created = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: `${fay}@example.com`,
      active: true,
      emails: [{ primary: true, type: 'work', value: `${fay}@example.com` }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Fay Wong', familyName: 'Wong', givenName: 'Fay' },
      roles: [],
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    await autoGrant('UFAY', 'pg-ro');
    expect(await h.hasRole(fay, pgRole)).toBe(true);

    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    await h.eventually(async () => (await grantsOf('UFAY')).every((g) => g.status === 'revoked'), 'Fay’s grant revoked', 5_000);
    expect(await h.hasRole(fay, pgRole)).toBe(false);
    expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
    const actions = (await h.sql<{ action: string }>(`SELECT action FROM audit_events WHERE subject_id IN ('UFAY') ORDER BY id`)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['directory.user_created', 'principal.offboarded', 'directory.user_deleted']));
    expect(actions.indexOf('principal.offboarded')).toBeLessThan(actions.indexOf('directory.user_deleted'));
  });

  it('a Slack deactivation (user_change, deleted: true, sparse payload) revokes within seconds', async () => {
    await autoGrant('UDAN', 'my-ro');
    expect(await h.hasRole(dan, pgRole)).toBe(true);
    expect(await my.hasRole(dan, myRole)).toBe(true);

    const response = await sendEvent(h.target, {
      user: { id: 'UDAN', team_id: h.slack.teamId, name: 'dan', deleted: true, profile: {}, is_bot: false, is_app_user: false, updated: 1665387304 },
      cache_ts: 1665387304,
      type: 'user_change',
      event_ts: '1665387304.003800',
    });
    expect(response.status).toBe(200);
    // No job is driven here: the offboarding wakes the revoke job itself.
    await h.eventually(async () => (await grantsOf('UDAN')).every((g) => g.status === 'revoked'), 'Dan’s grants revoked', 5_000);
    expect(await h.hasRole(dan, pgRole)).toBe(false);
    expect(await my.hasRole(dan, myRole)).toBe(false);
    await h.settle();
    expect(securityPosts().map(visibleText).join('\n')).toMatch(/<@UDAN> — deactivated in Slack/);
    const [offboarded] = await h.sql<{ actor: string }>(`SELECT actor FROM audit_events WHERE action = 'principal.offboarded' AND subject_id = 'UDAN'`);
    expect(offboarded!.actor).toBe('slack:user_change');
  });

  it('reactivation (Slack deleted: false, SCIM active: true) lets people ask again; nothing lost comes back by itself', async () => {
    await sendEvent(h.target, { user: { id: 'UDAN', team_id: h.slack.teamId, name: 'dan', deleted: false, profile: {} }, type: 'user_change', event_ts: '1665387400.000100' });
    await h.eventually(async () => (await h.sql(`SELECT 1 FROM audit_events WHERE action = 'principal.reinstated' AND subject_id = 'UDAN'`)).length === 1, 'Dan reinstated');
    expect(await h.hasRole(dan, pgRole)).toBe(false);

    const on = await scim('PATCH', `/Users/${scimId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(((await on.json()) as { active: boolean }).active).toBe(true);
    const { responseName, response } = h.command('UANA', 'request pg-ro 1h back from leave');
    await response;
    expect(String((await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'reply')).text)).not.toMatch(/offboarded/);
    await h.settle();
    expect(await h.hasRole(ana, pgRole)).toBe(true);
  });
});
