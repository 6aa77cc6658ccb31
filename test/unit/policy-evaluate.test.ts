import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import {
  expandPeople,
  findResource,
  matchAutoApproval,
  mayRequest,
  referencedPeople,
  resolveDuration,
  suggestResources,
  type Membership,
} from '../../src/policy/evaluate.js';
import { SAMPLE_POLICY, samplePolicy } from '../support/policy-fixtures.js';

const policy = samplePolicy();
const readonly = policy.resources['prod-db-readonly']!;
const write = policy.resources['prod-db-write']!;
const stage = policy.resources['stage-db']!;

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

/** A membership test as the services build it: the user id, plus the Slack user groups they are in. */
function member(userId: string, usergroups: string[] = []): Membership {
  return (refs) => {
    const { userIds, usergroupIds } = expandPeople(policy, refs);
    return userIds.includes(userId) || usergroupIds.some((id) => usergroups.includes(id));
  };
}

describe('findResource', () => {
  it('finds a resource by its exact name', () => {
    expect(findResource(policy, 'stage-db')).toBe(stage);
  });

  it('refuses an unknown name with close suggestions, closest first', () => {
    const error = refusal(() => findResource(policy, 'prod-db-readonyl'));
    expect(error.code).toBe('unknown_resource');
    expect(error.details.resource).toBe('prod-db-readonyl');
    expect((error.details.suggestions as string[])[0]).toBe('prod-db-readonly');
  });

  it('suggests names containing what was typed, ignoring case', () => {
    expect(suggestResources(policy, 'prod')).toEqual(['prod-db-readonly', 'prod-db-write']);
    expect(suggestResources(policy, 'STAGE')).toEqual(['stage-db']);
    expect(suggestResources(policy, 'Prod-DB-Write')[0]).toBe('prod-db-write');
  });

  it('matches a part of a name written in capitals', () => {
    const capitals = samplePolicy(
      SAMPLE_POLICY.replace('  prod-db-readonly:\n', '  Analytics-Warehouse-Readonly:\n')
        .replace('  prod-db-write:\n', '  Analytics-Warehouse-Write:\n')
        .replace('resources: [prod-db-readonly]', 'resources: [Analytics-Warehouse-Readonly]'),
    );
    expect(suggestResources(capitals, 'analytics')).toEqual(['Analytics-Warehouse-Readonly', 'Analytics-Warehouse-Write']);
  });

  it('suggests at most three names', () => {
    expect(suggestResources(policy, 'db').length).toBeLessThanOrEqual(3);
    expect(suggestResources(policy, 'db')).toEqual(['prod-db-readonly', 'prod-db-write', 'stage-db']);
  });

  it('still offers the single closest name when nothing is near', () => {
    expect(suggestResources(policy, 'zzzzzzzzzzzzzzzzzzzzzzzz')).toHaveLength(1);
  });

  it('does not take Object.prototype members for resources', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(refusal(() => findResource(policy, name)).code, name).toBe('unknown_resource');
    }
  });
});

describe('resolveDuration', () => {
  it("uses the resource's default when nothing (or blank) is typed", () => {
    expect(resolveDuration(readonly, undefined)).toBe(3_600_000);
    expect(resolveDuration(readonly, '  ')).toBe(3_600_000);
  });

  it('accepts durations up to and including max, and down to min', () => {
    expect(resolveDuration(readonly, '4h')).toBe(4 * 3_600_000);
    expect(resolveDuration(readonly, '1m')).toBe(60_000);
    expect(resolveDuration(write, '90s')).toBe(90_000);
  });

  it('refuses longer than max, naming both', () => {
    const error = refusal(() => resolveDuration(readonly, '4h1s'));
    expect(error.code).toBe('duration_too_long');
    expect(error.details).toEqual({ requestedMs: 4 * 3_600_000 + 1_000, maxMs: 4 * 3_600_000 });
    expect(error.message).toContain('4h');
  });

  it('refuses shorter than min (1m when the policy gives none)', () => {
    expect(refusal(() => resolveDuration(readonly, '59s'))).toMatchObject({ code: 'duration_too_short', details: { minMs: 60_000 } });
    expect(refusal(() => resolveDuration(write, '89s'))).toMatchObject({ code: 'duration_too_short', details: { minMs: 90_000 } });
  });

  it('refuses text that is not a duration', () => {
    expect(refusal(() => resolveDuration(readonly, 'soon')).code).toBe('invalid_duration');
  });
});

describe('expandPeople', () => {
  it('follows nested named groups and keeps Slack user groups apart', () => {
    expect(expandPeople(policy, ['group:sre'])).toMatchObject({ userIds: ['U0AAA', 'U0BBB', 'U0SRE1'], usergroupIds: ['S0ONCALL'], directoryGroups: [] });
  });

  it('de-duplicates people named more than once', () => {
    const { userIds } = expandPeople(policy, ['U0AAA', 'group:db-owners', 'group:sre']);
    expect(userIds).toEqual(['U0AAA', 'U0BBB', 'U0SRE1']);
  });

  it('mixes user ids, user groups and named groups', () => {
    expect(expandPeople(policy, ['U0XYZ', 'usergroup:S0SRE', 'group:db-owners'])).toMatchObject({
      userIds: ['U0XYZ', 'U0AAA', 'U0BBB'],
      usergroupIds: ['S0SRE'],
      directoryGroups: [],
    });
  });

  it('expands an unknown or Object.prototype group name to nobody instead of crashing', () => {
    expect(expandPeople(policy, ['group:nope', 'group:constructor'])).toMatchObject({ userIds: [], usergroupIds: [], directoryGroups: [] });
  });
});

describe('mayRequest', () => {
  it('lets everyone request when the policy names no requesters', () => {
    expect(mayRequest(readonly, member('U0ANYONE'))).toBe(true);
  });

  it('lets only the named requesters in, through nested groups and user groups', () => {
    expect(mayRequest(write, member('U0AAA'))).toBe(true); // sre → db-owners → U0AAA
    expect(mayRequest(write, member('U0SRE1'))).toBe(true);
    expect(mayRequest(write, member('U0PAGED', ['S0ONCALL']))).toBe(true);
    expect(mayRequest(write, member('U0EVE', ['S0OTHER']))).toBe(false);
  });
});

const NOW = new Date('2026-12-02T10:00:00Z'); // a Wednesday morning

describe('matchAutoApproval', () => {
  it('matches when every condition holds', () => {
    expect(matchAutoApproval(readonly, 3_600_000, member('U0PAGED', ['S0ONCALL']), NOW)?.name ?? null).toBe('prod-db-readonly.auto_approve[0]');
  });

  it('does not match when the requester is not in the group', () => {
    expect(matchAutoApproval(readonly, 30 * 60_000, member('U0EVE'), NOW)?.name ?? null).toBeNull();
  });

  it('does not match past max_duration', () => {
    expect(matchAutoApproval(readonly, 3_600_001, member('U0PAGED', ['S0ONCALL']), NOW)?.name ?? null).toBeNull();
  });

  it('matches a rule with no conditions for anyone, by its name', () => {
    expect(matchAutoApproval(stage, 86_400_000, member('U0EVE'), NOW)?.name ?? null).toBe('stage-anyone');
  });

  it('matches nothing when the resource has no rules', () => {
    expect(matchAutoApproval(write, 60_000, member('U0AAA'), NOW)?.name ?? null).toBeNull();
  });
});

describe('referencedPeople', () => {
  it('lists requesters, auto-approval groups and approvers', () => {
    expect(referencedPeople(readonly)).toEqual(['usergroup:S0ONCALL', 'group:db-owners', 'usergroup:S0SRE']);
    expect(referencedPeople(write)).toEqual(['group:sre', 'group:db-owners']);
  });
});
