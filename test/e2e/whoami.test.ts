import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { visibleText } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';

const available = await postgresAvailable();

describe.skipIf(!available)('/access whoami and identities from a Slack custom profile field', () => {
  const h = new Harness();
  let role: string;

  beforeAll(async () => {
    role = await h.createRole('ro', false);
    h.slack
      .defineProfileFields([{ id: 'Xf0GITHUB', label: 'GitHub username' }])
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: 'ana@example.com', fields: { Xf0GITHUB: 'ana-gh' } })
      .addUser({ id: 'UNOMAIL', name: 'No Mail' })
      .addUser({ id: 'UJO', name: 'Jo Contractor', email: 'jo@contractor.example' })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    await h.start(`
settings:
  admins: [UBOB]
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
  code:
    kind: postgres
    url: env:TARGET_PG_URL
    identity: { from: profile_field, field: Xf0GITHUB, map: { UJO: ext_jo } }
resources:
  prod-db-readonly:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 4h }
  code-read:
    provider: code
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 4h }
`);
  });
  afterAll(() => h.stop());

  async function whoami(userId: string): Promise<{ text: string; visible: string }> {
    const { responseName, response } = h.command(userId, 'whoami');
    expect((await response).status).toBe(200);
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'the whoami reply');
    expect(reply.response_type).toBe('ephemeral');
    return { text: String(reply.text), visible: visibleText({ blocks: reply.blocks as Array<Record<string, unknown>> }) };
  }

  it('shows each provider’s identity and the rule behind it, reading the field Slack keeps on the profile', async () => {
    const { text, visible } = await whoami('UANA');
    expect(text).toBe('You map on 2 of 2 providers');
    expect(visible).toContain('*target-pg* (postgres) → `ana`');
    expect(visible).toContain('from the part of your Slack profile email before the @');
    expect(visible).toContain('*code* (postgres) → `ana-gh`');
    expect(visible).toContain('from the “GitHub username” field of your Slack profile');
    expect(visible).toContain('You can request: `code-read`.');
    expect(h.slack.callsOf('users.profile.get').map((c) => c.args.user)).toContain('UANA');
    expect(h.slack.callsOf('team.profile.get').length).toBeGreaterThan(0);
  });

  it('tells an unmapped person what to do on each provider', async () => {
    const { text, visible } = await whoami('UNOMAIL');
    expect(text).toBe('You map on 0 of 2 providers');
    expect(visible).toContain('*target-pg* (postgres) → no identity');
    expect(visible).toContain('Set the email on your Slack profile');
    expect(visible).toContain('*code* (postgres) → no identity');
    expect(visible).toContain('the “GitHub username” field of your Slack profile, and yours is empty. Fill it in');
    expect(visible).toContain('ask a Keycard admin (<@UBOB>) to add you to `providers.code.identity.map`');
  });

  it('shows an explicit map entry as set in the policy', async () => {
    const { visible } = await whoami('UJO');
    expect(visible).toContain('*code* (postgres) → `ext_jo`');
    expect(visible).toContain('set for you in the policy (`providers.code.identity.map`)');
  });

  it('is listed in /access help, and writes nothing', async () => {
    const { responseName, response } = h.command('UANA', 'help');
    await response;
    const help = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'the help reply');
    expect(visibleText({ blocks: help.blocks as Array<Record<string, unknown>> })).toContain('`/access whoami`');
    expect(await h.sql('SELECT 1 FROM requests')).toHaveLength(0);
    expect(await h.sql('SELECT 1 FROM audit_events')).toHaveLength(0);
  });

  it('files a request under the identity the profile field gives', async () => {
    const { responseName, response } = h.command('UANA', 'request code-read 1h reviewing a PR');
    await response;
    await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'the request reply');
    const [request] = await h.sql<{ identity: string }>(`SELECT identity FROM requests WHERE resource = 'code-read'`);
    expect(request?.identity).toBe('ana-gh');
  });
});
