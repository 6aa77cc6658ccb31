import { describe, expect, it } from 'vitest';
import { describeIdentityRule, mapIdentity } from '../../src/providers/identity.js';
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

describe('describeIdentityRule', () => {
  it('says in words where the identity comes from', () => {
    expect(describeIdentityRule(undefined)).toMatch(/before the @/);
    expect(describeIdentityRule({ from: 'email' })).toMatch(/email/);
    expect(describeIdentityRule({ from: 'slack_user_id' })).toMatch(/Slack user id/);
  });
});
