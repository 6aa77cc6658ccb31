import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { Harness } from '../support/harness.js';
import { sendSigned, sign, slashCommandBody } from '../support/slack-requests.js';

const available = await postgresAvailable();

describe.skipIf(!available)('bad input gets a specific private reply and writes nothing', () => {
  const h = new Harness();

  beforeAll(async () => {
    const role = await h.createRole('ro', false);
    h.slack
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: 'ana@example.com' })
      .addUser({ id: 'UNOMAIL', name: 'No Mail' })
      .addUser({ id: 'UOUT', name: 'Outsider', email: 'out@example.com' })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' })
      .setUsergroup('S0ENG', ['UANA', 'UNOMAIL']);
    await h.start(`
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
resources:
  prod-db-readonly:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    requesters: [usergroup:S0ENG]
    duration: { default: 1h, max: 4h }
  staging-db:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 2h }
`);
  });
  afterAll(() => h.stop());

  async function replyTo(userId: string, text: string): Promise<string> {
    const { responseName, response } = h.command(userId, text);
    expect((await response).status).toBe(200);
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], `reply to "${text}"`);
    expect(reply.response_type).toBe('ephemeral');
    return String(reply.text);
  }

  async function nothingWritten(): Promise<void> {
    const [counts] = await h.sql<{ requests: number; outbox: number }>(
      `SELECT (SELECT count(*)::int FROM requests) AS requests, (SELECT count(*)::int FROM outbox) AS outbox`,
    );
    expect(counts).toEqual({ requests: 0, outbox: 0 });
  }

  it('suggests the closest names for an unknown resource', async () => {
    expect(await replyTo('UANA', 'request prod-db-readnly 1h checking')).toMatch(/no resource called `prod-db-readnly`.*Did you mean `prod-db-readonly`/);
    await nothingWritten();
  });

  it('explains durations it cannot read or that exceed the maximum', async () => {
    expect(await replyTo('UANA', 'request prod-db-readonly 2x checking')).toMatch(/`2x` is not a duration/);
    expect(await replyTo('UANA', 'request prod-db-readonly 5h checking')).toMatch(/at most 4h/);
    await nothingWritten();
  });

  it('requires a reason', async () => {
    expect(await replyTo('UANA', 'request prod-db-readonly 1h')).toMatch(/say why/);
    await nothingWritten();
  });

  it('refuses a person the policy does not allow', async () => {
    expect(await replyTo('UOUT', 'request prod-db-readonly 1h checking')).toMatch(/does not let you request `prod-db-readonly`/);
    await nothingWritten();
  });

  it('tells an unmapped person what to ask for', async () => {
    expect(await replyTo('UNOMAIL', 'request prod-db-readonly 1h checking')).toMatch(/cannot tell who you are on `target-pg`/);
    await nothingWritten();
  });

  it('answers an unknown subcommand with the help text', async () => {
    const text = await replyTo('UANA', 'frobnicate');
    expect(text).toMatch(/frobnicate/);
    expect(await replyTo('UANA', 'help')).toMatch(/Keycard commands/);
  });

  it('refuses a bad signature with 401 and runs nothing', async () => {
    const body = slashCommandBody(h.target, { userId: 'UANA', text: 'request staging-db 1h x', responseUrl: h.slack.responseUrl('forged') });
    const response = await sendSigned(h.target, body, { signature: sign('wrong-secret', Math.floor(Date.now() / 1000), body) });
    expect(response.status).toBe(401);
    await nothingWritten();
  });

  it('refuses a stale timestamp with 401 (replay)', async () => {
    const body = slashCommandBody(h.target, { userId: 'UANA', text: 'request staging-db 1h x', responseUrl: h.slack.responseUrl('stale') });
    const response = await sendSigned(h.target, body, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect(response.status).toBe(401);
    await nothingWritten();
  });

  it('drops a correctly signed payload that names another workspace', async () => {
    const body = slashCommandBody(h.target, { userId: 'UANA', text: 'request staging-db 1h from elsewhere', responseUrl: h.slack.responseUrl('other-team'), teamId: 'T0OTHER' });
    const response = await sendSigned(h.target, body);
    expect(response.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    await nothingWritten();
    expect(h.slack.responsesTo('other-team')).toEqual([]);
  });
});
