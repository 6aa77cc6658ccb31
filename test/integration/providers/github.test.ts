import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { githubKind, GithubProvider } from '../../../src/providers/github/github-provider.js';
import { GithubFake, githubFailures } from '../../support/fakes/github-fake.js';
import { testRsaKeys } from '../../support/fakes/jwt.js';
import { providerConformance, providerFailure, type ConformanceFixture } from './conformance.js';

const keys = testRsaKeys();
const APP = { appId: 123456, installationId: 987654 };

async function startFake(): Promise<GithubFake> {
  const fake = new GithubFake({ org: 'acme', token: 'ghp_testtoken', app: { ...APP, publicKey: keys.publicKey } });
  await fake.start();
  fake.addTeam('platform-admins', { 'standing-sam': 'maintainer' });
  fake.users.add('octo-ana');
  return fake;
}

function tokenProvider(fake: GithubFake, timeoutMs = 2_000): GithubProvider {
  return new GithubProvider('gh', githubKind.configSchema.parse({ org: 'acme', token: 'ghp_testtoken', base_url: fake.http.url, timeout_ms: timeoutMs }));
}

function appProvider(fake: GithubFake): GithubProvider {
  return new GithubProvider(
    'gh-app',
    githubKind.configSchema.parse({
      org: 'acme',
      // As an env var would hold it: one line with literal \n.
      app: { app_id: String(APP.appId), installation_id: APP.installationId, private_key: keys.privateKeyPem.replace(/\n/g, '\\n') },
      base_url: fake.http.url,
    }),
  );
}

function fixture(fake: GithubFake, provider: GithubProvider, faults: { retryable: () => void; permanent: () => void }): ConformanceFixture {
  return {
    provider,
    identity: 'octo-ana',
    spec: { team: 'platform-admins' },
    injectRetryable: async () => faults.retryable(),
    injectPermanent: async () => faults.permanent(),
    async teardown() {
      await provider.close();
      await fake.stop();
      // Every call must have matched GitHub's documented API, not just been answered.
      expect(fake.http.violations).toEqual([]);
    },
  };
}

providerConformance({
  name: 'github (token auth)',
  available: async () => true,
  async setup() {
    const fake = await startFake();
    return fixture(fake, tokenProvider(fake), {
      retryable: () => fake.failNext(githubFailures.secondaryRateLimit()),
      // The user does not exist: GitHub answers the PUT with 404.
      permanent: () => fake.failNext(githubFailures.notFound(), (call) => call.method === 'PUT'),
    });
  },
});

providerConformance({
  name: 'github (GitHub App installation token)',
  available: async () => true,
  async setup() {
    const fake = await startFake();
    return fixture(fake, appProvider(fake), {
      retryable: () => fake.failNext(githubFailures.serverError()),
      permanent: () => fake.failNext(githubFailures.missingPermission()),
    });
  },
});

describe('github specifics', () => {
  let fake: GithubFake;
  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(async () => {
    await fake.stop();
  });
  afterEach(() => {
    expect(fake.http.violations).toEqual([]);
    vi.useRealTimers();
  });


  it('sends the documented headers and body on PUT', async () => {
    const provider = tokenProvider(fake);
    fake.http.calls.length = 0;
    await provider.grant('octo-ana', { team: 'platform-admins', role: 'maintainer' });
    const put = fake.http.callsTo('PUT', /memberships\/octo-ana$/)[0]!;
    expect(put.path).toBe('/orgs/acme/teams/platform-admins/memberships/octo-ana');
    expect(JSON.parse(put.body)).toEqual({ role: 'maintainer' });
    expect(put.headers).toMatchObject({ accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', authorization: 'token ghp_testtoken' });
    expect(put.headers['user-agent']).toMatch(/^keycard /);
    await provider.revoke('octo-ana', { team: 'platform-admins' });
  });

  it('classifies 429 with Retry-After as retryable and carries the wait', async () => {
    fake.failNext(githubFailures.secondaryRateLimit());
    const error = await providerFailure(tokenProvider(fake).listHolders({ team: 'platform-admins' }));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.message).toMatch(/retry after 30s/);
  });

  it('classifies a primary rate limit (403, x-ratelimit-remaining 0) as retryable until the reset', async () => {
    fake.failNext(githubFailures.primaryRateLimit());
    const error = await providerFailure(tokenProvider(fake).grant('octo-ana', { team: 'platform-admins' }));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(590_000);
  });

  it('classifies a 403 for a missing permission as permanent and names the permission', async () => {
    fake.failNext(githubFailures.missingPermission());
    const error = await providerFailure(tokenProvider(fake).grant('octo-ana', { team: 'platform-admins' }));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/members=write/);
  });

  it('classifies a call that gets no answer as retryable (timeout)', async () => {
    fake.failNext(githubFailures.timeout());
    const error = await providerFailure(tokenProvider(fake, 300).grant('octo-ana', { team: 'platform-admins' }));
    expect(error.retryable).toBe(true);
  });

  it('does not downgrade a maintainer when a member grant is repeated', async () => {
    const provider = tokenProvider(fake);
    await provider.grant('standing-sam', { team: 'platform-admins', role: 'member' });
    expect(fake.teams.get('platform-admins')!.get('standing-sam')).toBe('maintainer');
    expect(await provider.listHolders({ team: 'platform-admins', role: 'maintainer' })).toEqual(['standing-sam']);
  });

  it('treats 404 on DELETE as already gone only when the team is visible', async () => {
    const provider = tokenProvider(fake);
    await provider.revoke('octo-ana', { team: 'platform-admins' });
    const error = await providerFailure(provider.revoke('octo-ana', { team: 'no-such-team' }));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/cannot see it/);
  });

  it('lists holders across pages (Link rel="next") in lower case', async () => {
    const members = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`User-${i}`, 'member' as const]));
    fake.addTeam('big-team', members);
    const holders = await tokenProvider(fake).listHolders({ team: 'big-team' });
    expect(holders).toHaveLength(130);
    expect(holders).toContain('user-129');
    expect(fake.http.callsTo('GET', /big-team\/members$/)).toHaveLength(2);
  });

  it('exchanges a JWT for an installation token and reuses it', async () => {
    const provider = appProvider(fake);
    const before = fake.issuedTokens.size;
    await provider.listHolders({ team: 'platform-admins' });
    await provider.listHolders({ team: 'platform-admins' });
    expect(fake.issuedTokens.size).toBe(before + 1);
    const exchange = fake.http.callsTo('POST', /access_tokens$/).at(-1)!;
    expect(exchange.path).toBe(`/app/installations/${APP.installationId}/access_tokens`);
    expect(exchange.headers['x-github-api-version']).toBe('2022-11-28');
  });

  it('gets a new installation token when the cached one has expired (an hour later)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const provider = appProvider(fake);
    await provider.listHolders({ team: 'platform-admins' });
    const first = fake.issuedTokens.size;
    vi.setSystemTime(Date.now() + 61 * 60_000); // the fake expires tokens after an hour, as GitHub does
    await provider.listHolders({ team: 'platform-admins' });
    expect(fake.issuedTokens.size).toBe(first + 1);
  });

  it('refreshes an installation token GitHub stopped accepting before its expiry (401)', async () => {
    const provider = appProvider(fake);
    await provider.listHolders({ team: 'platform-admins' });
    const first = fake.issuedTokens.size;
    // Past auth-app's own 5-second window, in which it waits out GitHub's token replication delay.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 10_000);
    fake.expireTokens();
    await provider.grant('octo-ana', { team: 'platform-admins' });
    expect(fake.issuedTokens.size).toBe(first + 1);
    await provider.revoke('octo-ana', { team: 'platform-admins' });
  });

  it('validates config: exactly one of token or app, and a PEM key', () => {
    expect(githubKind.configSchema.safeParse({ org: 'acme' }).success).toBe(false);
    expect(githubKind.configSchema.safeParse({ org: 'acme', token: 't', app: { app_id: 1, installation_id: 2, private_key: 'k' } }).success).toBe(false);
    // At policy load, env: values are placeholders; the schema must accept them.
    expect(githubKind.configSchema.safeParse({ org: 'acme', app: { app_id: 'env-placeholder://resolved-at-start', installation_id: 'env-placeholder://resolved-at-start', private_key: 'env-placeholder://resolved-at-start' } }).success).toBe(true);
    expect(() => githubKind.create('bad', githubKind.configSchema.parse({ org: 'acme', app: { app_id: 1, installation_id: 2, private_key: 'not a key' } }))).toThrow(/private_key/);
  });
});
