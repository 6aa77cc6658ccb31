import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/http/scim/scim-error.js';
import { parseGroupFilter, parseUserFilter, quoteBareValues } from '../../src/http/scim/scim-filter.js';
import { parsePaging } from '../../src/http/scim/scim-paging.js';
import { applyPatch } from '../../src/http/scim/scim-patch.js';
import { storedUser, userFields } from '../../src/http/scim/scim-resources.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const user = () => ({ userName: 'test.user@okta.local', active: true, name: { givenName: 'Test', familyName: 'User' }, emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }] });
const group = (...ids: string[]) => ({ displayName: 'Test SCIMv2', members: ids.map((value) => ({ value })) });

describe('SCIM filters as Okta and Entra send them', () => {
  it('reads userName eq in either URL encoding once decoded, and names are case-insensitive', () => {
    expect(parseUserFilter('userName eq "test.user@okta.local"')).toEqual([{ attribute: 'userName', value: 'test.user@okta.local' }]);
    expect(parseUserFilter(new URLSearchParams('filter=userName+eq+%22jane.doe%40example.com%22').get('filter'))).toEqual([{ attribute: 'userName', value: 'jane.doe@example.com' }]);
    expect(parseUserFilter('USERNAME EQ "X"')).toEqual([{ attribute: 'userName', value: 'X' }]);
  });

  it('accepts externalId with a quoted or an unquoted value (Entra tutorial)', () => {
    expect(parseUserFilter('externalId eq jyoung')).toEqual([{ attribute: 'externalId', value: 'jyoung' }]);
    expect(parseUserFilter('externalId eq "johnwong"')).toEqual([{ attribute: 'externalId', value: 'johnwong' }]);
    expect(quoteBareValues('active eq true and userName eq "a b"')).toBe('active eq true and userName eq "a b"');
  });

  it('reads the work-email filter and and-joined clauses', () => {
    expect(parseUserFilter('emails[type eq "work"].value eq "user@contoso.com"')).toEqual([{ attribute: 'email', value: 'user@contoso.com' }]);
    expect(parseUserFilter('userName eq "a" and externalId eq "b"')).toHaveLength(2);
    expect(parseGroupFilter('displayName eq "Test SCIMv2"')).toEqual([{ attribute: 'displayName', value: 'Test SCIMv2' }]);
  });

  it('refuses garbage and unsupported operators with invalidFilter', () => {
    for (const bad of ['userName eq', 'userName co "x"', 'title eq "x"', 'userName eq "a" or userName eq "b"']) {
      const error = (() => { try { parseUserFilter(bad); } catch (e) { return e; } })() as ScimError;
      expect(error, bad).toBeInstanceOf(ScimError);
      expect(error.body()).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    }
  });
});

describe('SCIM paging', () => {
  it('is 1-based, reads values below 1 as 1 and negative counts as 0', () => {
    expect(parsePaging(new URLSearchParams('startIndex=1&count=2'))).toEqual({ startIndex: 1, count: 2 });
    expect(parsePaging(new URLSearchParams('startIndex=0&count=-5'))).toEqual({ startIndex: 1, count: 0 });
    expect(parsePaging(new URLSearchParams(''))).toEqual({ startIndex: 1, count: 100 });
  });
});

describe('SCIM PATCH as Okta and Entra send it', () => {
  it('Okta deactivation: pathless replace of {active:false}', () => {
    expect(applyPatch(user(), { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] }).active).toBe(false);
  });

  it('Entra deactivation without the flag: capitalised Replace and the string "False"', () => {
    expect(applyPatch(user(), { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }).active).toBe(false);
    expect(applyPatch(user(), { Operations: [{ op: 'Replace', path: 'active', value: false }], schemas: [PATCH] }).active).toBe(false);
    expect(applyPatch({ ...user(), active: false }, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] }).active).toBe(true);
  });

  it('Entra attribute updates: filtered email path, dotted keys and URN keys in a pathless value', () => {
    const patched = applyPatch(user(), {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        { op: 'replace', value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Aklq' } },
        { op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' },
      ],
    });
    const fields = userFields(storedUser(patched), null);
    expect(fields).toMatchObject({ email: 'TestMhvaes@test.microsoft.com', displayName: 'Bjfe', manager: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' });
    expect((patched.name as Record<string, string>).givenName).toBe('Kkom');
  });

  it('Okta membership change: filtered-path remove, then add', () => {
    const patched = applyPatch(group('89bb', 'keep'), {
      schemas: [PATCH],
      Operations: [
        { op: 'remove', path: 'members[value eq "89bb"]' },
        { op: 'add', path: 'members', value: [{ value: '23a3', display: 'test.user@okta.local' }] },
      ],
    });
    expect((patched.members as Array<{ value: string }>).map((m) => m.value)).toEqual(['keep', '23a3']);
  });

  it('Entra member removal by value list (with $ref: null) removes only those members', () => {
    const patched = applyPatch(group('a', 'b', 'c'), { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'a' }] }] });
    expect((patched.members as Array<{ value: string }>).map((m) => m.value)).toEqual(['b', 'c']);
  });

  it('remove members without a value clears them all; Okta rename is idempotent', () => {
    expect(applyPatch(group('a', 'b'), { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members' }] }).members ?? []).toEqual([]);
    const renamed = applyPatch(group('a'), { schemas: [PATCH], Operations: [{ op: 'replace', value: { id: 'abf4', displayName: 'Test SCIMv2' } }] });
    expect(renamed.displayName).toBe('Test SCIMv2');
  });

  it('refuses malformed bodies with invalidSyntax or invalidValue', () => {
    const refusal = (body: unknown) => { try { applyPatch(user(), body); } catch (e) { return (e as ScimError).body(); } return null; };
    expect(refusal({ Operations: [{ op: 'replace', value: { active: false } }] })).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect(refusal({ schemas: [PATCH], Operations: [{ op: 'frobnicate', path: 'active' }] })).toMatchObject({ scimType: 'invalidSyntax' });
    expect(refusal({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] })).toMatchObject({ scimType: 'invalidValue' });
  });
});

describe('SCIM users as stored', () => {
  it('drops Okta\'s placeholder password and Entra\'s explicit nulls, and reads the string "True"', () => {
    const stored = storedUser({ ...user(), password: '1mz050nq', title: null, manager: null, active: 'True' });
    expect(stored).not.toHaveProperty('password');
    expect(stored).not.toHaveProperty('title');
    expect(stored.active).toBe(true);
  });
});
