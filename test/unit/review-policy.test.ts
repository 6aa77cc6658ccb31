import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyError } from '../../src/policy/load.js';
import { providerKinds } from '../../src/providers/registry.js';
import { SAMPLE_POLICY, samplePolicy } from '../support/policy-fixtures.js';

function problemsOf(text: string): Array<{ path: string; message: string }> {
  try {
    parsePolicy(text, 'access.yaml', providerKinds);
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  throw new Error('the policy was accepted');
}

const withReview = (review: string) => SAMPLE_POLICY.replace(/reviews:\n[\s\S]*$/, `reviews:\n${review}`);

describe('reviews: in access.yaml', () => {
  it('compiles a review with its defaults: UTC, owners review, revoke on no response', () => {
    const review = samplePolicy().reviews['quarterly-prod']!;
    expect(review).toEqual({
      name: 'quarterly-prod',
      description: 'quarterly-prod',
      schedule: '0 9 1 */3 *',
      timezone: 'UTC',
      resources: ['prod-db-readonly'],
      reviewer: { kind: 'owners' },
      dueMs: 7 * 86_400_000,
      remindEveryMs: 86_400_000,
      onNoResponse: 'revoke',
      reportChannel: null,
    });
  });

  it('reads timezone, report channel, a group or the manager as reviewer', () => {
    const policy = samplePolicy(
      withReview(`  monthly:
    schedule: "0 9 1 * *"
    timezone: Europe/Berlin
    resources: [prod-db-readonly, stage-db]
    reviewer: group:sre
    due: 3d
    on_no_response: escalate
    report_channel: C0AUDIT
  by-manager:
    schedule: "0 9 * * mon"
    resources: [stage-db]
    reviewer: manager
    due: 2d
`),
    );
    expect(policy.reviews.monthly).toMatchObject({ timezone: 'Europe/Berlin', reviewer: { kind: 'group', name: 'sre' }, onNoResponse: 'escalate', reportChannel: 'C0AUDIT', remindEveryMs: null });
    expect(policy.reviews['by-manager']!.reviewer).toEqual({ kind: 'manager' });
  });

  it('defaults baseline to none, on_drift to report and the reconcile interval to 1h', () => {
    const policy = samplePolicy();
    expect(policy.resources['prod-db-readonly']).toMatchObject({ baseline: [], onDrift: 'report' });
    expect(policy.reconcileEveryMs).toBe(3_600_000);
  });

  it('reads baseline and on_drift per resource', () => {
    const policy = samplePolicy(SAMPLE_POLICY.replace('    grant: { role: prod_write }\n', '    grant: { role: prod_write }\n    baseline: [app_writer]\n    on_drift: revoke\n'));
    expect(policy.resources['prod-db-write']).toMatchObject({ baseline: ['app_writer'], onDrift: 'revoke' });
  });

  it('refuses a review naming an unknown resource', () => {
    expect(problemsOf(SAMPLE_POLICY.replace('resources: [prod-db-readonly]\n    reviewer', 'resources: [prod-db-readonly, nope]\n    reviewer'))).toEqual([
      expect.objectContaining({ path: 'reviews.quarterly-prod.resources.1', message: 'unknown resource "nope"' }),
    ]);
  });

  it('refuses a bad cron, an unknown time zone, an unknown reviewer group and an unknown reviewer kind', () => {
    expect(problemsOf(SAMPLE_POLICY.replace('"0 9 1 */3 *"', '"every quarter"'))[0]).toMatchObject({ path: 'reviews.quarterly-prod.schedule', message: expect.stringMatching(/cron/) });
    expect(problemsOf(SAMPLE_POLICY.replace('reviewer: owners', 'reviewer: owners\n    timezone: Mars/Olympus'))[0]).toMatchObject({ path: 'reviews.quarterly-prod.timezone' });
    expect(problemsOf(SAMPLE_POLICY.replace('reviewer: owners', 'reviewer: group:auditors'))).toEqual([
      expect.objectContaining({ path: 'reviews.quarterly-prod.reviewer', message: 'unknown group "auditors" (define it under groups:)' }),
    ]);
    expect(problemsOf(SAMPLE_POLICY.replace('reviewer: owners', 'reviewer: everyone'))[0]).toMatchObject({ path: 'reviews.quarterly-prod.reviewer' });
  });

  it('refuses reminders that could never be sent before due, and a bad on_drift', () => {
    expect(problemsOf(SAMPLE_POLICY.replace('remind_every: 1d', 'remind_every: 8d'))[0]).toMatchObject({ path: 'reviews.quarterly-prod.remind_every' });
    expect(problemsOf(SAMPLE_POLICY.replace('    grant: { role: prod_write }\n', '    grant: { role: prod_write }\n    on_drift: delete\n'))[0]).toMatchObject({ path: 'resources.prod-db-write.on_drift' });
  });
});
