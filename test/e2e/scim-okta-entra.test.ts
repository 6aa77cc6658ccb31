import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { Harness } from '../support/harness.js';

const available = await postgresAvailable();
const SCIM_TOKEN = 'e2e-scim-token-0123456789abcdef';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.skipIf(!available)('SCIM 2.0 as Okta and Entra ID call it, and a mover losing a grant', () => {
  const h = new Harness();
  let role: string;
  let eve: string;

  /** Raw SCIM call; `path` is relative to the tenant URL /scim/v2 (Entra's form), query string included. */
  async function scim(method: string, path: string, body?: unknown, token = SCIM_TOKEN): Promise<{ status: number; type: string | null; body: Json | null }> {
    const response = await fetch(`http://127.0.0.1:${h.keycard.port}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), body: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    role = await h.createRole('eng_ro', false);
    eve = await h.createRole('eve', true);
    h.slack.addUser({ id: 'UEVE', name: 'Eve Ng', email: `${eve}@example.com` }).addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    await h.start(
      `
settings: { security_channel: C0SECURITY }
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
resources:
  eng-db:
    provider: target-pg
    grant: { role: ${role} }
    owners: [UBOB]
    requesters: [directory:Engineering]
    duration: { default: 1h, max: 4h }
    auto_approve: [{ name: engineers }]
`,
      { SCIM_TOKEN },
    );
  });
  afterAll(() => h.stop());

  describe('Okta', () => {
    let userId: string;

    it('answers the connection test and an unknown userName with an empty ListResponse of integers', async () => {
      const test = await scim('GET', '/Users?startIndex=1&count=2');
      expect(test.status).toBe(200);
      expect(test.type).toMatch(/^application\/scim\+json/);
      expect(test.body).toEqual({ schemas: [LIST], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
      const missing = await scim('GET', '/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100');
      expect(missing.body).toMatchObject({ totalResults: 0, Resources: [] });
    });

    it('creates the user (password accepted, not echoed), finds it by userName in any case and either encoding, refuses a duplicate with 409', async () => {
      const payload = {
        schemas: [USER],
        userName: 'test.user@okta.local',
        name: { givenName: 'Test', familyName: 'User' },
        emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
        displayName: 'Test User',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        groups: [],
        password: '1mz050nq',
        active: true,
      };
      const created = await scim('POST', '/Users', payload);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ schemas: [USER], userName: 'test.user@okta.local', active: true, externalId: '00ujl29u0le5T6Aj10h7', meta: { resourceType: 'User' } });
      expect(created.body).not.toHaveProperty('password');
      userId = created.body!.id;

      const byPlus = await scim('GET', '/Users?filter=userName+eq+%22TEST.USER%40OKTA.LOCAL%22&startIndex=1&count=100');
      expect(byPlus.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
      expect(byPlus.body!.Resources[0].id).toBe(userId);

      const again = await scim('POST', '/Users', payload);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    });

    it('takes a full-object PUT with read-only meta coming back, and the pathless deactivation PATCH', async () => {
      const current = (await scim('GET', `/Users/${userId}`)).body!;
      const put = await scim('PUT', `/Users/${userId}`, { ...current, name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' }, meta: { resourceType: 'User', created: '04-12-2018 00:00:00', version: 'v1' } });
      expect(put.status).toBe(200);
      expect(put.body!.name.givenName).toBe('Another');
      const off = await scim('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
      expect(off.status).toBe(200);
      expect(off.body!.active).toBe(false);
    });

    it('pushes a group, renames it pathlessly, and changes members with a filtered remove and an add', async () => {
      const second = await scim('POST', '/Users', { schemas: [USER], userName: 'second@okta.local', emails: [{ primary: true, value: 'second@okta.local', type: 'work' }], active: true });
      const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] });
      expect(group.status).toBe(201);
      expect(group.body).toMatchObject({ displayName: 'Test SCIMv2', members: [], meta: { resourceType: 'Group' } });
      const gid = group.body!.id;

      const byName = await scim('GET', '/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100');
      expect(byName.body).toMatchObject({ totalResults: 1 });
      const rename = await scim('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: gid, displayName: 'Test SCIMv2' } }] });
      expect(rename.status).toBe(204);
      await scim('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId, display: 'test.user@okta.local' }, { value: second.body!.id, display: 'second@okta.local' }] }] });
      const change = await scim('PATCH', `/Groups/${gid}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'remove', path: `members[value eq "${userId}"]` },
          { op: 'add', path: 'members', value: [{ value: userId, display: 'test.user@okta.local' }] },
        ],
      });
      expect(change.status).toBe(204);
      const members = (await scim('GET', `/Groups/${gid}`)).body!.members.map((m: Json) => m.value).sort();
      expect(members).toEqual([userId, second.body!.id].sort());
      expect((await scim('GET', `/Users/${userId}`)).body!.groups).toEqual([expect.objectContaining({ value: gid, display: 'Test SCIMv2' })]);
      expect((await scim('DELETE', `/Groups/${gid}`)).status).toBe(204);
    });

    it('answers an unknown id with 404 and a bad token with 401, both as SCIM errors; the bad token is audited', async () => {
      const missing = await scim('GET', '/Users/010101001010101011001010101011');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ schemas: [ERROR], status: '404', detail: expect.stringContaining('not found') });
      const denied = await scim('GET', '/Users?filter=userName%20eq%20%22x%22', undefined, 'not-the-token');
      expect(denied.status).toBe(401);
      expect(denied.body).toMatchObject({ schemas: [ERROR], status: '401' });
      await h.eventually(async () => (await h.sql(`SELECT 1 FROM audit_events WHERE action = 'scim.auth_refused'`)).length === 1, 'refusal audited');
      const [row] = await h.sql<{ data: Json }>(`SELECT data FROM audit_events WHERE action = 'scim.auth_refused'`);
      expect(row!.data).toMatchObject({ reason: 'wrong_token' });
      expect(JSON.stringify(row!.data)).not.toContain('not-the-token');
    });
  });

  describe('Entra ID', () => {
    let userId: string;

    it('answers the test-connection query by a random GUID, and an unquoted externalId filter', async () => {
      const probe = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "0b64d5cf-9a45-4c6e-8a6b-4c38a2f8d0de"')}`);
      expect(probe.status).toBe(200);
      expect(probe.body).toMatchObject({ schemas: [LIST], totalResults: 0, Resources: [] });
      expect((await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq jyoung')}`)).body).toMatchObject({ totalResults: 0 });
    });

    it('creates a user sent with meta, the enterprise URN, explicit nulls and a malformed extension URN', async () => {
      const created = await scim('POST', '/Users', {
        schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
        externalId: 'jyoung',
        userName: 'jyoung@testuser.com',
        active: true,
        addresses: null,
        displayName: 'Joy Young',
        emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
        meta: { resourceType: 'User' },
        name: { familyName: 'Young', givenName: 'Joy' },
        phoneNumbers: null,
        preferredLanguage: null,
        title: null,
        department: null,
        manager: null,
      });
      expect(created.status).toBe(201);
      userId = created.body!.id;
      expect(created.body).not.toHaveProperty('title');
      expect((await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq jyoung')}`)).body).toMatchObject({ totalResults: 1 });
      expect((await scim('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "jyoung@contoso.com"')}`)).body).toMatchObject({ totalResults: 1 });
    });

    it('applies attribute PATCHes: filtered email path, URN manager as a plain string, department, then clears the manager', async () => {
      const patched = await scim('PATCH', `/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
          { op: 'Add', path: `${ENTERPRISE}:manager`, value: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' },
          { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Engineering' },
        ],
      });
      expect(patched.status).toBe(200);
      const [row] = await h.sql<Json>(`SELECT email, manager, department FROM directory_users WHERE id = '${userId}'`);
      expect(row).toEqual({ email: 'updatedEmail@microsoft.com', manager: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2', department: 'Engineering' });
      await scim('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }] });
      expect((await h.sql<Json>(`SELECT manager FROM directory_users WHERE id = '${userId}'`))[0]!.manager).toBeNull();
    });

    it('disables with the string "False" and a capitalised Replace, still returns the user, and deletes with 204 then 404', async () => {
      const off = await scim('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
      expect(off.status).toBe(200);
      expect(off.body!.active).toBe(false);
      expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "jyoung@testuser.com"')}`)).body!.Resources[0].active).toBe(false);
      expect((await scim('DELETE', `/Users/${userId}`)).status).toBe(204);
      expect((await scim('GET', `/Users/${userId}`)).status).toBe(404);
    });

    it('creates a group with the ADSCIM schema URN, reads it without members, and removes members by value list with 204', async () => {
      const a = (await scim('POST', '/Users', { schemas: [USER], userName: 'a@contoso.com', active: true })).body!.id;
      const b = (await scim('POST', '/Users', { schemas: [USER], userName: 'b@contoso.com', active: true })).body!.id;
      const group = await scim('POST', '/Groups', {
        schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
      });
      expect(group.status).toBe(201);
      const gid = group.body!.id;
      expect((await scim('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: a }, { $ref: null, value: b }] }] })).status).toBe(204);
      expect((await scim('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: a }] }] })).status).toBe(204);
      const read = await scim('GET', `/Groups/${gid}?excludedAttributes=members`);
      expect(read.body).not.toHaveProperty('members');
      const listed = await scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}`);
      expect(listed.body).toMatchObject({ totalResults: 1 });
      expect((await scim('GET', `/Groups/${gid}`)).body!.members.map((m: Json) => m.value)).toEqual([b]);
      expect((await scim('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'renamed' }] })).status).toBe(204);
    });

    it('describes its schemas for discovery (User, EnterpriseUser, Group) and its resource types', async () => {
      const schemas = await scim('GET', '/Schemas');
      expect(schemas.status).toBe(200);
      expect(schemas.body!.Resources.map((r: Json) => r.id)).toEqual([USER, ENTERPRISE, GROUP]);
      expect(schemas.body!.Resources[0].description).toBe('User Account');
      expect(JSON.stringify(schemas.body)).not.toContain('null');
      expect((await scim('GET', `/Schemas/${ENTERPRISE}`)).body!.attributes.map((a: Json) => a.name)).toContain('manager');
      expect((await scim('GET', '/ResourceTypes')).body!.Resources.map((r: Json) => r.endpoint)).toEqual(['/Users', '/Groups']);
    });

    it('pages users with startIndex and count, echoing startIndex', async () => {
      const first = (await scim('GET', '/Users?startIndex=1&count=2')).body!;
      const second = (await scim('GET', '/Users?startIndex=3&count=2')).body!;
      expect(first).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
      expect(second.startIndex).toBe(3);
      const ids = [...first.Resources, ...second.Resources].map((u: Json) => u.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(first.totalResults).toBe(second.totalResults);
    });

    it('answers malformed bodies and filters with RFC 7644 errors and writes nothing', async () => {
      const before = (await h.sql<Json>('SELECT count(*)::int AS n FROM directory_users'))[0]!.n;
      expect((await scim('POST', '/Users', '{not json')).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
      expect((await scim('POST', '/Users', { schemas: [USER], active: true })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
      expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName co "x"')}`)).body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
      const anyone = (await h.sql<Json>(`SELECT id FROM directory_users LIMIT 1`))[0]!.id;
      expect((await scim('PATCH', `/Users/${anyone}`, { Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
      expect((await scim('PATCH', `/Users/${anyone}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'perhaps' }] })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
      expect((await h.sql<Json>('SELECT count(*)::int AS n FROM directory_users'))[0]!.n).toBe(before);
    });
  });

  it('a mover: removed from the directory group the policy names, the grant ends with the reason recorded', async () => {
    const user = (await scim('POST', '/Users', { schemas: [USER], userName: `${eve}@example.com`, emails: [{ primary: true, type: 'work', value: `${eve}@example.com` }], active: true })).body!;
    const group = (await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: user.id }] })).body!;

    const { responseName, response } = h.command('UEVE', 'request eng-db 1h deploy');
    await response;
    await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'reply');
    await h.settle();
    expect(await h.hasRole(eve, role)).toBe(true);

    expect((await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${user.id}"]` }] })).status).toBe(204);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.eventually(async () => (await h.sql<Json>(`SELECT status FROM grants WHERE holder_id = 'UEVE'`))[0]!.status === 'revoked', 'grant revoked');
    expect(await h.hasRole(eve, role)).toBe(false);
    const [grant] = await h.sql<Json>(`SELECT end_reason FROM grants WHERE holder_id = 'UEVE'`);
    expect(grant!.end_reason).toBe('no longer allowed by the policy (removed from directory group "Engineering")');
    await h.settle();
    expect(h.slack.messagesIn('C0SECURITY').length).toBeGreaterThan(0);

    // Out of the group, the policy no longer lets them ask.
    const again = h.command('UEVE', 'request eng-db 1h deploy again');
    await again.response;
    expect(String((await h.slack.waitFor(() => h.slack.responsesTo(again.responseName)[0], 'refusal')).text)).toMatch(/does not let you request/);
  });

  it('the periodic re-check catches a change no event announced', async () => {
    const group = (await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}`)).body!.Resources[0];
    const user = (await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${eve}@example.com"`)}`)).body!.Resources[0];
    expect((await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: user.id }] }] })).status).toBe(204);
    const { responseName, response } = h.command('UEVE', 'request eng-db 1h back in the team');
    await response;
    await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'reply');
    await h.settle();
    expect(await h.hasRole(eve, role)).toBe(true);

    // The membership goes without Keycard hearing of it (as if its re-check had failed mid-way).
    await h.sql(`DELETE FROM directory_group_members WHERE group_id = '${group.id}'`);
    await h.keycard.scheduler.runNow('recheck-grants');
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.eventually(async () => !(await h.hasRole(eve, role)), 'role revoked by the re-check');
    const reasons = (await h.sql<Json>(`SELECT end_reason FROM grants WHERE holder_id = 'UEVE'`)).map((g) => g.end_reason);
    expect(reasons.sort()).toEqual(['no longer allowed by the policy (periodic re-check)', 'no longer allowed by the policy (removed from directory group "Engineering")']);
  });
});
