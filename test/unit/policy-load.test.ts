import { describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicy, PolicyError } from '../../src/policy/load.js';
import { providerKinds } from '../../src/providers/registry.js';
import { SAMPLE_POLICY, samplePolicy } from '../support/policy-fixtures.js';

/** Parses a policy expected to be refused and returns the error. */
function refused(text: string, file = 'access.yaml'): PolicyError {
  try {
    parsePolicy(text, file, providerKinds);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('the policy was accepted');
}

/** The 1-based line of the only occurrence of `needle` in `text`. */
function lineIn(text: string, needle: string): number {
  expect(text.split(needle)).toHaveLength(2);
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

/** SAMPLE_POLICY with one exact piece of text replaced (the original must occur once). */
function edit(from: string, to: string): string {
  expect(SAMPLE_POLICY.split(from)).toHaveLength(2);
  return SAMPLE_POLICY.replace(from, to);
}

describe('parsePolicy: a valid file', () => {
  const policy = samplePolicy();

  it('compiles resources with durations in ms and the grant block as validated', () => {
    const ro = policy.resources['prod-db-readonly']!;
    expect(ro).toMatchObject({
      name: 'prod-db-readonly',
      description: 'Production database, read-only',
      providerName: 'prod-pg',
      grant: { role: 'prod_readonly' },
      owners: ['group:db-owners'],
      approvers: ['group:db-owners', 'usergroup:S0SRE'],
      approvals: 1,
      requesters: null,
      duration: expect.objectContaining({ defaultMs: 3_600_000, maxMs: 14_400_000, minMs: 60_000 }),
      requestTtlMs: 86_400_000,
      breakGlass: expect.objectContaining({ notify: 'C0SECURITY' }),
    });
    expect(ro.autoApprove).toHaveLength(1);
    expect(ro.autoApprove[0]).toMatchObject({ name: 'prod-db-readonly.auto_approve[0]', requesterIn: ['usergroup:S0ONCALL'], maxDurationMs: 3_600_000 });
  });

  it('fills defaults: approvers from owners, description from name, min 1m, ttl from settings', () => {
    const write = policy.resources['prod-db-write']!;
    expect(write.approvers).toEqual(['group:db-owners']);
    expect(write.description).toBe('prod-db-write');
    expect(write.duration).toMatchObject({ defaultMs: 1_800_000, maxMs: 7_200_000, minMs: 90_000 });
    expect(write.requestTtlMs).toBe(7_200_000);
    expect(write.requesters).toEqual(['group:sre']);
    expect(write.breakGlass).toBeNull();
    expect(policy.resources['stage-db']!.autoApprove).toEqual([expect.objectContaining({ name: 'stage-anyone', requesterIn: null, maxDurationMs: null })]);
  });

  it('keeps provider settings with env: references unresolved and the identity rule apart', () => {
    expect(policy.providers['prod-pg']).toEqual({ name: 'prod-pg', kind: 'postgres', identity: undefined, settings: { url: 'env:PROD_PG_URL' } });
    expect(policy.providers['stage-pg']!.identity).toEqual({ from: 'slack_user_id' });
    expect(policy.groups.sre).toEqual(['group:db-owners', 'U0SRE1', 'usergroup:S0ONCALL']);
    expect(policy.source).toBe('access.yaml');
    expect(policy.admins).toEqual([]);
  });
});

describe('parsePolicy: errors name the file, the path and the line', () => {
  it('reports a YAML syntax error with its line', () => {
    const error = refused('providers:\n  a: [\nresources: {}\n', 'policies/team.yaml');
    expect(error.file).toBe('policies/team.yaml');
    expect(error.problems[0]!.line).toBeGreaterThanOrEqual(2);
    expect(error.message).toMatch(/^policies\/team\.yaml: invalid policy/);
  });

  it('refuses duplicate keys', () => {
    const error = refused(edit('groups:\n', 'groups:\n  sre: [U0X]\n'));
    expect(error.problems[0]!.message).toMatch(/unique/i);
  });

  it('refuses an unknown provider kind, naming the known ones', () => {
    const error = refused(edit('kind: postgres, url', 'kind: oracle, url'));
    expect(error.problems).toEqual([
      { path: 'providers.prod-pg.kind', line: 2, message: expect.stringMatching(/unknown provider kind "oracle" \(known: .*postgres/) },
    ]);
    expect(error.message).toContain('providers.prod-pg.kind (line 2)');
  });

  it('refuses a resource whose provider is not defined', () => {
    const text = edit('provider: stage-pg', 'provider: stagepg');
    expect(refused(text).problems).toEqual([
      { path: 'resources.stage-db.provider', line: lineIn(text, 'provider: stagepg'), message: 'provider "stagepg" is not defined under providers:' },
    ]);
  });

  it('refuses an unknown group: reference', () => {
    const text = edit('approvers: [group:db-owners, usergroup:S0SRE]', 'approvers: [group:db-owner, usergroup:S0SRE]');
    expect(refused(text).problems).toEqual([
      { path: 'resources.prod-db-readonly.approvers.0', line: lineIn(text, 'group:db-owner,'), message: expect.stringContaining('unknown group "db-owner"') },
    ]);
  });

  it('refuses groups that include each other in a cycle', () => {
    const text = edit('db-owners: [U0AAA, U0BBB]', 'db-owners: [U0AAA, group:sre]');
    const error = refused(text);
    expect(error.problems[0]).toEqual({ path: 'groups.db-owners', line: lineIn(text, '[U0AAA, group:sre]'), message: expect.stringContaining('db-owners → sre → db-owners') });
    expect(error.problems.map((p) => p.path)).toEqual(['groups.db-owners', 'groups.sre']);
  });

  it('refuses a group that includes itself', () => {
    const error = refused(edit('db-owners: [U0AAA, U0BBB]', 'db-owners: [U0AAA, group:db-owners]'));
    expect(error.problems[0]!.message).toContain('db-owners → db-owners');
  });

  it('refuses a default longer than max', () => {
    const text = edit('duration: { default: 1h, max: 4h }', 'duration: { default: 5h, max: 4h }');
    expect(refused(text).problems).toEqual([
      { path: 'resources.prod-db-readonly.duration.default', line: lineIn(text, 'default: 5h'), message: 'longer than max (4h)' },
    ]);
  });

  it('refuses a min longer than default', () => {
    const text = edit('min: 90s', 'min: 1h');
    expect(refused(text).problems).toEqual([{ path: 'resources.prod-db-write.duration.min', line: lineIn(text, 'min: 1h'), message: 'longer than default (30m)' }]);
  });

  it("checks the grant block against the provider's own schema (postgres needs role)", () => {
    for (const bad of ['grant: { rol: prod_write }', 'grant: {}', 'grant: { role: "" }']) {
      const error = refused(edit('grant: { role: prod_write }', bad));
      expect(error.problems.length, bad).toBeGreaterThan(0);
      for (const problem of error.problems) {
        expect(problem.path, bad).toMatch(/^resources\.prod-db-write\.grant(\.|$)/);
        expect(problem.line, bad).toBe(lineIn(SAMPLE_POLICY, 'grant: { role: prod_write }'));
      }
    }
  });

  it("checks provider settings against the provider's schema, env: values accepted as present", () => {
    const text = edit('url: env:STAGE_PG_URL', 'uri: env:STAGE_PG_URL');
    const error = refused(text);
    expect(error.problems.map((p) => p.path).sort()).toEqual(['providers.stage-pg', 'providers.stage-pg.url']);
    // The missing key has no line of its own: the enclosing provider block's is named.
    expect(error.problems.find((p) => p.path === 'providers.stage-pg.url')?.line).toBe(lineIn(text, 'kind: postgres\n'));
    // A literal URL would do as well as an env: reference.
    expect(() => samplePolicy(edit('url: env:STAGE_PG_URL', 'url: postgres://localhost/stage'))).not.toThrow();
  });

  it('refuses a review naming an unknown resource', () => {
    const text = edit('resources: [prod-db-readonly]', 'resources: [prod-db-readonly, prod-db-ro]');
    expect(refused(text).problems).toEqual([
      { path: 'reviews.quarterly-prod.resources.1', line: lineIn(text, 'resources: [prod-db-readonly,'), message: 'unknown resource "prod-db-ro"' },
    ]);
  });

  it('names the nearest line for a missing key', () => {
    const text = edit('    duration: { default: 2h, max: 1d }\n', '');
    // stage-db's block starts at its first key, `provider: stage-pg`.
    expect(refused(text).problems).toEqual([{ path: 'resources.stage-db.duration', line: lineIn(text, 'provider: stage-pg'), message: expect.any(String) }]);
  });

  it('refuses bad durations and bad person references by the top-level schema', () => {
    const text = edit('max: 4h', 'max: 4 hours').replace('U0SRE1', 'alice');
    expect(refused(text).problems.map((p) => [p.path, p.line]).sort()).toEqual([
      ['groups.sre.1', lineIn(text, 'alice')],
      ['resources.prod-db-readonly.duration.max', lineIn(text, '4 hours')],
    ]);
  });

  it('refuses unknown keys (strict)', () => {
    const error = refused(edit('approvals: 2', 'approvals: 2\n    approval: 3'));
    expect(error.problems[0]).toMatchObject({ path: 'resources.prod-db-write', message: expect.stringContaining('approval') });
  });

  it('refuses a resource nobody can approve', () => {
    const text = edit('    approvers: [U0AAA]\n', '').replace('    auto_approve:\n      - name: stage-anyone\n', '');
    expect(refused(text).problems).toEqual([
      { path: 'resources.stage-db', line: lineIn(text, 'provider: stage-pg'), message: expect.stringContaining('nobody can approve') },
    ]);
    // An auto_approve rule alone is enough.
    expect(() => samplePolicy(edit('    approvers: [U0AAA]\n', ''))).not.toThrow();
  });

  it('reports every problem at once', () => {
    const text = edit('kind: postgres, url', 'kind: oracle, url')
      .replace('default: 1h, max: 4h', 'default: 5h, max: 4h')
      .replace('approvers: [group:db-owners, usergroup:S0SRE]', 'approvers: [group:nobody]');
    const error = refused(text);
    expect(error.problems.map((p) => p.path).sort()).toEqual([
      'providers.prod-pg.kind',
      'resources.prod-db-readonly.approvers.0',
      'resources.prod-db-readonly.duration.default',
    ]);
  });

  it('refuses names of Object.prototype members as groups and providers', () => {
    expect(refused(edit('approvers: [U0AAA]', 'approvers: [group:constructor]')).problems[0]!.path).toBe('resources.stage-db.approvers.0');
    expect(refused(edit('provider: stage-pg', 'provider: toString')).problems[0]!.path).toBe('resources.stage-db.provider');
    expect(refused(edit('resources: [prod-db-readonly]', 'resources: [constructor]')).problems[0]!.path).toBe('reviews.quarterly-prod.resources.0');
  });
});

describe('loadPolicyFile', () => {
  it('names the file it cannot read', () => {
    expect(() => loadPolicyFile('/nonexistent/keycard/access.yaml', providerKinds)).toThrow(/\/nonexistent\/keycard\/access\.yaml: invalid policy\n.*cannot read the file/);
  });
});
