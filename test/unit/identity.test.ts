import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyError } from '../../src/policy/load.js';
import { describeIdentityRule, explainIdentity, identityProfileFields, mapIdentity } from '../../src/providers/identity.js';
import { providerKinds } from '../../src/providers/registry.js';
import { pickFieldValues } from '../../src/slack/directory.js';
import { aPrincipal } from '../support/domain-builders.js';

describe('mapIdentity', () => {
  it('uses the lower-cased local part of the email when there is no rule', () => {
    expect(mapIdentity(aPrincipal({ email: 'Ana.Smith@Example.com' }), undefined)).toBe('ana.smith');
  });

  it('follows from: email and from: slack_user_id', () => {
    const ana = aPrincipal({ slackUserId: 'U0ANA', email: 'Ana@Example.com' });
    expect(mapIdentity(ana, { from: 'email' })).toBe('ana@example.com');
    expect(mapIdentity(ana, { from: 'slack_user_id' })).toBe('U0ANA');
    expect(mapIdentity(ana, { from: 'email_local_part' })).toBe('ana');
  });

  it('prefers an explicit map entry over the rule', () => {
    const rule = { from: 'email_local_part' as const, map: { U0ANA: 'ana_dba' } };
    expect(mapIdentity(aPrincipal({ slackUserId: 'U0ANA' }), rule)).toBe('ana_dba');
    expect(mapIdentity(aPrincipal({ slackUserId: 'U0BOB', email: 'bob@example.com' }), rule)).toBe('bob');
  });

  it('maps a user with no email through the map, and only there', () => {
    const noEmail = aPrincipal({ slackUserId: 'U0ANA', email: null });
    expect(mapIdentity(noEmail, { from: 'email_local_part', map: { U0ANA: 'ana' } })).toBe('ana');
    expect(mapIdentity(noEmail, { from: 'slack_user_id' })).toBe('U0ANA');
  });

  it('returns null when the rule cannot produce an identity', () => {
    expect(mapIdentity(aPrincipal({ email: null }), undefined)).toBeNull();
    expect(mapIdentity(aPrincipal({ email: null }), { from: 'email' })).toBeNull();
    expect(mapIdentity(aPrincipal({ email: '@example.com' }), undefined)).toBeNull();
  });
});

describe('mapIdentity by a Slack custom profile field', () => {
  const rule = { from: 'profile_field' as const, field: 'Xf0GITHUB' };

  it('takes the field’s value, trimmed, and nothing else', () => {
    const ana = aPrincipal({ profileFields: { Xf0GITHUB: '  ana-gh ', Xf0OTHER: 'no' } });
    expect(mapIdentity(ana, rule)).toBe('ana-gh');
    expect(explainIdentity(ana, rule)).toEqual({ identity: 'ana-gh', by: 'profile_field' });
  });

  it('gives null for an empty or missing field, or a principal loaded without fields, never the email', () => {
    expect(mapIdentity(aPrincipal({ profileFields: { Xf0GITHUB: '   ' } }), rule)).toBeNull();
    expect(mapIdentity(aPrincipal({ profileFields: {} }), rule)).toBeNull();
    expect(mapIdentity(aPrincipal(), rule)).toBeNull();
  });

  it('still lets an explicit map entry win, and says so', () => {
    const withMap = { ...rule, map: { U0ANA: 'ana_override' } };
    expect(explainIdentity(aPrincipal({ profileFields: { Xf0GITHUB: 'ana-gh' } }), withMap)).toEqual({ identity: 'ana_override', by: 'map' });
  });

  it('lists the fields the policy maps by, once each, so the directory loads only those', () => {
    expect(
      identityProfileFields({
        a: { identity: rule },
        b: { identity: { from: 'profile_field', field: 'Xf0AWS' } },
        c: { identity: rule },
        d: { identity: { from: 'email' } },
        e: { identity: undefined },
      }),
    ).toEqual(['Xf0AWS', 'Xf0GITHUB']);
  });
});

describe('identity rules in access.yaml', () => {
  const policyWith = (identity: string) => `providers:
  gh:
    kind: postgres
    url: env:GH_URL
    identity: ${identity}
resources:
  r:
    provider: gh
    grant: { role: r }
    approvers: [U0AAA]
    duration: { default: 1h, max: 2h }
`;
  const problems = (identity: string): string[] => {
    try {
      parsePolicy(policyWith(identity), 'access.yaml', providerKinds);
      return [];
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      return error.problems.map((p) => `${p.path}: ${p.message}`);
    }
  };

  it('accepts from: profile_field with a field id', () => {
    expect(problems('{ from: profile_field, field: Xf0123ABC }')).toEqual([]);
    const policy = parsePolicy(policyWith('{ from: profile_field, field: Xf0123ABC, map: { U0AAA: ana } }'), 'access.yaml', providerKinds);
    expect(policy.providers.gh!.identity).toEqual({ from: 'profile_field', field: 'Xf0123ABC', map: { U0AAA: 'ana' } });
  });

  it('refuses profile_field without a field, a field with another rule, and a field that is not an id', () => {
    expect(problems('{ from: profile_field }')).toEqual([expect.stringMatching(/providers\.gh\.identity\.field: .*needs field/)]);
    expect(problems('{ from: email, field: Xf0123ABC }')).toEqual([expect.stringMatching(/identity\.field: field is only used with from: profile_field/)]);
    expect(problems('{ from: profile_field, field: GitHub }')).toEqual([expect.stringMatching(/Slack custom profile field id/)]);
  });
});

describe('pickFieldValues (users.profile.get → the configured fields)', () => {
  it('reads { value } by field id and leaves out empty and unconfigured fields', () => {
    const fields = { Xf0A: { value: 'ana-gh', alt: '' }, Xf0B: { value: '', alt: '' }, Xf0C: { value: 'other', alt: '' } };
    expect(pickFieldValues(fields, ['Xf0A', 'Xf0B', 'Xf0Z'])).toEqual({ Xf0A: 'ana-gh' });
  });

  it('takes null, an empty list or anything odd as no fields', () => {
    for (const fields of [null, undefined, [], 'x', { Xf0A: null }, { Xf0A: { value: 3 } }]) expect(pickFieldValues(fields, ['Xf0A'])).toEqual({});
  });
});

describe('describeIdentityRule', () => {
  it('says in words where the identity comes from', () => {
    expect(describeIdentityRule(undefined)).toMatch(/before the @/);
    expect(describeIdentityRule({ from: 'email' })).toMatch(/email/);
    expect(describeIdentityRule({ from: 'slack_user_id' })).toMatch(/Slack user id/);
    expect(describeIdentityRule({ from: 'profile_field', field: 'Xf0GITHUB' }, 'GitHub username')).toBe('the “GitHub username” field of your Slack profile');
    expect(describeIdentityRule({ from: 'profile_field', field: 'Xf0GITHUB' })).toMatch(/Xf0GITHUB/);
  });
});
