import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { oktaKind, OktaProvider } from '../../../src/providers/okta/okta-provider.js';
import { testRsaKeys } from '../../support/fakes/jwt.js';
import { OktaFake, oktaFailures } from '../../support/fakes/okta-fake.js';
import { providerConformance, providerFailure, type ConformanceFixture } from './conformance.js';

const keys = testRsaKeys();
const CLIENT_ID = '0oa1serviceapp0000001';
const GROUP = '00g1fanEFIQHMQQJMHZP';

async function startFake(grantedScopes = ['okta.groups.manage', 'okta.users.read']): Promise<OktaFake> {
  const fake = new OktaFake({ apiToken: '00testApiToken', oauth: { clientId: CLIENT_ID, publicKey: keys.publicKey, grantedScopes } });
  await fake.start();
  fake.addUser('ana@example.com');
  fake.addGroup(GROUP, ['standing@example.com']);
  return fake;
}

function tokenProvider(fake: OktaFake, extra: Record<string, unknown> = {}): OktaProvider {
  return new OktaProvider('okta', oktaKind.configSchema.parse({ org_url: fake.http.url, token: '00testApiToken', ...extra }));
}

function oauthProvider(fake: OktaFake, scopes?: string[]): OktaProvider {
  return new OktaProvider(
    'okta-oauth',
    oktaKind.configSchema.parse({ org_url: `${fake.http.url}/`, oauth: { client_id: CLIENT_ID, private_key: keys.privateKeyPem, key_id: 'kc-1', ...(scopes ? { scopes } : {}) } }),
  );
}

function fixture(fake: OktaFake, provider: OktaProvider, faults: { retryable: () => void; permanent: () => void }): ConformanceFixture {
  return {
    provider,
    identity: 'ana@example.com',
    spec: { group_id: GROUP },
    injectRetryable: async () => faults.retryable(),
    injectPermanent: async () => faults.permanent(),
    async teardown() {
      await provider.close();
      await fake.stop();
      expect(fake.http.violations).toEqual([]);
    },
  };
}

providerConformance({
  name: 'okta (SSWS API token)',
  available: async () => true,
  async setup() {
    const fake = await startFake();
    return fixture(fake, tokenProvider(fake), {
      retryable: () => fake.failNext(oktaFailures.rateLimited()),
      permanent: () => fake.failNext(oktaFailures.unknownUser('ana@example.com')),
    });
  },
});

providerConformance({
  name: 'okta (OAuth service app)',
  available: async () => true,
  async setup() {
    const fake = await startFake();
    return fixture(fake, oauthProvider(fake), {
      retryable: () => fake.failNext(oktaFailures.serverError()),
      permanent: () => fake.failNext(oktaFailures.forbidden()),
    });
  },
});

describe('okta specifics', () => {
  let fake: OktaFake;
  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(async () => {
    await fake.stop();
  });
  afterEach(() => {
    expect(fake.http.violations).toEqual([]);
  });


  it('resolves the login to the user id and sends the documented PUT', async () => {
    fake.http.calls.length = 0;
    await tokenProvider(fake).grant('ana@example.com', { group_id: GROUP });
    const [lookup, put] = fake.http.calls;
    expect(lookup!.path).toBe('/api/v1/users/ana%40example.com');
    const id = fake.userByLogin('ana@example.com')!.id;
    expect(put).toMatchObject({ method: 'PUT', path: `/api/v1/groups/${GROUP}/users/${id}`, body: '' });
    expect(put!.headers).toMatchObject({ accept: 'application/json', 'content-type': 'application/json', authorization: 'SSWS 00testApiToken', 'content-length': '0' });
    await tokenProvider(fake).revoke('ana@example.com', { group_id: GROUP });
  });

  it('classifies 429 as retryable and waits until X-Rate-Limit-Reset', async () => {
    fake.failNext(oktaFailures.rateLimited(45));
    const error = await providerFailure(tokenProvider(fake).listHolders({ group_id: GROUP }));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(40_000);
    expect(error.message).toMatch(/E0000047/);
  });

  it('classifies a timeout as retryable', async () => {
    fake.failNext(oktaFailures.timeout());
    const error = await providerFailure(tokenProvider(fake, { timeout_ms: 300 }).grant('ana@example.com', { group_id: GROUP }));
    expect(error.retryable).toBe(true);
  });

  it('reports an unknown user as permanent on grant and as nothing to do on revoke', async () => {
    const provider = tokenProvider(fake);
    const error = await providerFailure(provider.grant('nobody@example.com', { group_id: GROUP }));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/no Okta user has the login nobody@example.com/);
    await provider.revoke('nobody@example.com', { group_id: GROUP });
  });

  it('resolves an unambiguous login short name', async () => {
    const provider = tokenProvider(fake);
    await provider.grant('ana', { group_id: GROUP });
    expect(await provider.listHolders({ group_id: GROUP })).toContain('ana@example.com');
    await provider.revoke('ana', { group_id: GROUP });
  });

  it('follows Link rel="next" across pages', async () => {
    const logins = Array.from({ length: 45 }, (_, i) => `user${String(i).padStart(2, '0')}@example.com`);
    fake.addGroup('00gbiggroup000000001', logins);
    const holders = await tokenProvider(fake, { page_size: 20 }).listHolders({ group_id: '00gbiggroup000000001' });
    expect(holders).toEqual(logins);
    const pages = fake.http.callsTo('GET', /00gbiggroup000000001\/users$/);
    expect(pages).toHaveLength(3);
    expect(pages[1]!.query.get('after')).toBeTruthy(); // the cursor came from the Link header
  });

  it('gets one OAuth token (scopes okta.groups.manage okta.users.read) and reuses it', async () => {
    const provider = oauthProvider(fake);
    const before = fake.accessTokens.size;
    await provider.grant('ana@example.com', { group_id: GROUP });
    await provider.revoke('ana@example.com', { group_id: GROUP });
    expect(fake.accessTokens.size).toBe(before + 1);
    expect([...fake.accessTokens.values()].at(-1)!.scopes).toEqual(['okta.groups.manage', 'okta.users.read']);
    expect(fake.http.callsTo('PUT', /users/).at(-1)!.headers.authorization).toMatch(/^Bearer eyJ/);
  });

  it('gets a new OAuth token when Okta stops accepting the cached one', async () => {
    const provider = oauthProvider(fake);
    await provider.listHolders({ group_id: GROUP });
    const before = fake.accessTokens.size;
    fake.accessTokens.clear(); // as if revoked at Okta
    await provider.listHolders({ group_id: GROUP });
    expect(fake.accessTokens.size).toBe(1);
    expect(before).toBeGreaterThan(0);
  });

  it('reports a missing scope as permanent', async () => {
    const narrow = await startFake(['okta.users.read', 'okta.groups.read']);
    try {
      const error = await providerFailure(oauthProvider(narrow, ['okta.users.read', 'okta.groups.read']).grant('ana@example.com', { group_id: GROUP }));
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/403 E0000006/);
    } finally {
      await narrow.stop();
    }
  });

  it('validates config: exactly one of token or oauth', () => {
    expect(oktaKind.configSchema.safeParse({ org_url: 'https://acme.okta.com' }).success).toBe(false);
    expect(oktaKind.configSchema.safeParse({ org_url: 'env-placeholder://resolved-at-start', token: 'env-placeholder://resolved-at-start' }).success).toBe(true);
    expect(oktaKind.grantSchema.safeParse({ group_id: 'Engineering Admins' }).success).toBe(false);
  });
});
