import { describe, expect, it } from 'vitest';
import { PolicyError, parsePolicy } from '../../src/policy/load.js';
import { providerKinds } from '../../src/providers/registry.js';

const base = (resource: string) => `
providers:
  pg: { kind: postgres, url: env:PG }
groups:
  dbas: [U0BOB, usergroup:S0DBA]
resources:
  db:
    provider: pg
    grant: { role: r }
    owners: [group:dbas, U0CY]
    duration: { default: 1h, max: 4h }
${resource}`;

const problems = (yaml: string): string[] => {
  try {
    parsePolicy(yaml, 'access.yaml', providerKinds);
    return [];
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
};

describe('approval workflow settings in access.yaml', () => {
  it('expands `owners` in an approver list to the resource’s owners', () => {
    const policy = parsePolicy(base('    approvers: [owners, U0DEE]'), 'access.yaml', providerKinds);
    expect(policy.resources.db!.approvers).toEqual(['group:dbas', 'U0CY', 'U0DEE']);
  });

  it('compiles reminders, escalation, routing, time windows, max_total and break-glass', () => {
    const policy = parsePolicy(
      base(`    approval_channel: C0REQ
    dm_approvers: false
    remind_after: 30m
    escalate_after: 2h
    escalate_to: [U0DEE]
    auto_approve:
      - { name: office, max_duration: 1h, when: { days: [mon, fri], between: "09:00-17:30", timezone: Europe/Berlin }, announce: C0AUDIT }
    break_glass: { notify: C0SEC, max: 30m, confirm_within: 1h }`).replace('max: 4h }', 'max: 4h, max_total: 8h }'),
      'access.yaml',
      providerKinds,
    );
    const db = policy.resources.db!;
    expect(db).toMatchObject({
      approvalChannel: 'C0REQ',
      dmApprovers: false,
      remindAfterMs: 30 * 60_000,
      escalation: { afterMs: 2 * 3_600_000, to: ['U0DEE'] },
      duration: { maxTotalMs: 8 * 3_600_000 },
      breakGlass: { notify: 'C0SEC', maxMs: 30 * 60_000, confirmWithinMs: 3_600_000 },
    });
    expect(db.autoApprove[0]).toMatchObject({ name: 'office', announce: 'C0AUDIT', when: { days: ['mon', 'fri'], between: '09:00-17:30', timezone: 'Europe/Berlin' } });
  });

  it('max_total defaults to max', () => {
    expect(parsePolicy(base(''), 'access.yaml', providerKinds).resources.db!.duration.maxTotalMs).toBe(4 * 3_600_000);
  });

  it.each([
    ['    escalate_after: 1h', /resources\.db\.escalate_after: needs escalate_to/],
    ['    dm_approvers: false', /resources\.db\.dm_approvers: approvers would never be asked/],
    ['    escalate_after: 1h\n    escalate_to: [group:nobody]', /resources\.db\.escalate_to\.0: unknown group "nobody"/],
    ['    break_glass: { notify: C0SEC, max: 5h }', /resources\.db\.break_glass\.max: longer than duration\.max/],
    ['    auto_approve: [{ when: { timezone: Mars/Olympus } }]', /timezone: must be an IANA time zone/],
    ['    auto_approve: [{ when: { between: "9-5" } }]', /between: must be HH:MM-HH:MM/],
    ['    approval_channel: general', /approval_channel: must be a Slack channel id/],
  ])('refuses %s', (extra, message) => {
    expect(problems(base(extra)).join('\n')).toMatch(message);
  });

  it('refuses max_total shorter than max', () => {
    expect(problems(base('').replace('max: 4h }', 'max: 4h, max_total: 2h }')).join('\n')).toMatch(/max_total: shorter than max/);
  });
});
