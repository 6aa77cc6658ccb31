import { describe, expect, it } from 'vitest';
import type { MyIdentities, ProviderIdentity } from '../../src/services/describe-my-identities.js';
import { whoamiReply } from '../../src/slack/views/whoami.js';
import { aPrincipal } from '../support/domain-builders.js';

const texts = (reply: ReturnType<typeof whoamiReply>): string[] =>
  reply.blocks.flatMap((b) => [(b.text as { text?: string } | undefined)?.text ?? '', ...((b.elements as Array<{ text: string }> | undefined) ?? []).map((e) => e.text)]).filter(Boolean);

function me(providers: Array<Partial<ProviderIdentity>>, admins: string[] = ['U0ADMIN']): MyIdentities {
  return {
    principal: aPrincipal(),
    admins,
    providers: providers.map((p, i) => ({
      provider: `p${i}`,
      kind: 'postgres',
      identity: 'ana',
      by: 'email_local_part',
      rule: undefined,
      fieldLabel: null,
      requestable: [],
      ...p,
    })),
  };
}

describe('whoamiReply', () => {
  it('shows the identity and the rule that gave it, with what can be requested there', () => {
    const reply = whoamiReply(me([{ provider: 'prod-pg', requestable: ['prod-db-readonly', 'prod-db-write'] }]));
    const [intro, line] = texts(reply);
    expect(intro).toMatch(/You map on 1 of 1/);
    expect(line).toContain('*prod-pg* (postgres) → `ana`');
    expect(line).toContain('from the part of your Slack profile email before the @');
    expect(line).toContain('You can request: `prod-db-readonly`, `prod-db-write`.');
    expect(reply.text).toBe('You map on 1 of 1 providers');
  });

  it('names an explicit map entry as the policy’s doing, and a profile field by its label', () => {
    const [, mapped, field] = texts(
      whoamiReply(
        me([
          { provider: 'prod-pg', identity: 'ana_dba', by: 'map', rule: { from: 'email_local_part', map: { U0ANA: 'ana_dba' } } },
          { provider: 'gh', kind: 'github', identity: 'ana-gh', by: 'profile_field', rule: { from: 'profile_field', field: 'Xf0GITHUB' }, fieldLabel: 'GitHub username' },
        ]),
      ),
    );
    expect(mapped).toContain('→ `ana_dba`');
    expect(mapped).toContain('set for you in the policy (`providers.prod-pg.identity.map`)');
    expect(field).toContain('→ `ana-gh`');
    expect(field).toContain('from the “GitHub username” field of your Slack profile');
    expect(field).toContain('Nothing here that you may request.');
  });

  it('tells an unmapped person to fill in the profile field, or whom to ask for a map entry', () => {
    const reply = whoamiReply(
      me([{ provider: 'gh', kind: 'github', identity: null, by: 'profile_field', rule: { from: 'profile_field', field: 'Xf0GITHUB' }, fieldLabel: 'GitHub username' }], ['U0ADMIN', 'U0SEC']),
    );
    const [intro, line, note] = texts(reply);
    expect(intro).toMatch(/You map on 0 of 1/);
    expect(line).toContain('⚠️ *gh* (github) → no identity');
    expect(line).toContain('the “GitHub username” field of your Slack profile, and yours is empty. Fill it in');
    expect(line).toContain('ask a Keycard admin (<@U0ADMIN> or <@U0SEC>) to add you to `providers.gh.identity.map`');
    expect(note).toMatch(/run `\/access whoami` again/);
  });

  it('names the field id when Slack gave no label, and asks for the email when an email rule has none', () => {
    const [, field, email] = texts(
      whoamiReply(
        me(
          [
            { provider: 'gh', identity: null, by: 'profile_field', rule: { from: 'profile_field', field: 'Xf0GITHUB' } },
            { provider: 'db', identity: null, by: 'email', rule: { from: 'email' } },
          ],
          [],
        ),
      ),
    );
    expect(field).toContain('the custom field `Xf0GITHUB` of your Slack profile');
    expect(email).toContain('Set the email on your Slack profile');
    expect(email).toContain('ask a Keycard admin to add you to `providers.db.identity.map`');
  });

  it('escapes identities taken from a profile, so a field cannot mention a channel', () => {
    const [, line] = texts(whoamiReply(me([{ identity: '<!channel>', by: 'profile_field', rule: { from: 'profile_field', field: 'Xf0A' } }])));
    expect(line).toContain('`&lt;!channel&gt;`');
    expect(line).not.toContain('<!channel>');
  });

  it('stays within Slack’s 50 blocks however many providers there are', () => {
    const reply = whoamiReply(me(Array.from({ length: 60 }, () => ({}))));
    expect(reply.blocks.length).toBeLessThanOrEqual(50);
    expect(texts(reply).at(-1)).toMatch(/15 more providers not shown/);
  });

  it('says so when the policy has no providers', () => {
    expect(whoamiReply(me([])).text).toMatch(/no providers/);
  });
});
