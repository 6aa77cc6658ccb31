import { describe, expect, it } from 'vitest';
import { expandPeople } from '../../src/policy/evaluate.js';
import { PolicyError } from '../../src/policy/load.js';
import { matchSignalRule } from '../../src/policy/signals.js';
import { samplePolicy } from '../support/policy-fixtures.js';

const BASE = `providers:
  pg: { kind: postgres, url: env:PG_URL }
resources:
  db:
    provider: pg
    grant: { role: ro }
    approvers: [U0AAA]
    requesters: [directory:Engineering Team, usergroup:S0ENG]
    duration: { default: 1h, max: 4h }
`;

describe('policy: security channel, signals and directory groups', () => {
  it('reads settings.security_channel and the signal rules in order', () => {
    const policy = samplePolicy(`settings:
  security_channel: C0SECURITY
${BASE}signals:
  - name: account-compromise
    when: { severity: [high, critical], type: [impossible_travel] }
    revoke_grants: true
    freeze_requests: 24h
  - name: notice
    when: { severity: [low, medium] }
    notify_security: true
`);
    expect(policy.securityChannel).toBe('C0SECURITY');
    expect(policy.signals).toEqual([
      { name: 'account-compromise', severities: ['high', 'critical'], types: ['impossible_travel'], revokeGrants: true, freezeMs: 86_400_000, notifySecurity: true },
      { name: 'notice', severities: ['low', 'medium'], types: null, revokeGrants: false, freezeMs: null, notifySecurity: true },
    ]);
    expect(matchSignalRule(policy, { severity: 'critical', type: 'Impossible_Travel' })?.name).toBe('account-compromise');
    expect(matchSignalRule(policy, { severity: 'critical', type: 'malware' })).toBeNull();
    expect(matchSignalRule(policy, { severity: 'low', type: 'malware' })?.name).toBe('notice');
  });

  it('defaults to no security channel and no signal rules', () => {
    const policy = samplePolicy(BASE);
    expect(policy.securityChannel).toBeNull();
    expect(policy.signals).toEqual([]);
  });

  it('takes directory:<SCIM group> in people lists, matched ignoring case', () => {
    const policy = samplePolicy(BASE);
    expect(expandPeople(policy, policy.resources.db!.requesters!)).toEqual({ userIds: [], usergroupIds: ['S0ENG'], directoryGroups: ['engineering team'] });
  });

  it('refuses a bad security channel or an unknown severity, naming the path', () => {
    expect(() => samplePolicy(`settings: { security_channel: security }\n${BASE}`)).toThrow(/settings.security_channel/);
    expect(() => samplePolicy(`${BASE}signals:\n  - when: { severity: [urgent] }\n`)).toThrow(PolicyError);
  });
});
