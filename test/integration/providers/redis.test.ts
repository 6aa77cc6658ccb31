import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKind, RedisProvider } from '../../../src/providers/redis/redis-provider.js';
import { uniqueName } from '../../support/databases.js';
import { REDIS_ADMIN_URL, redisAvailable, urlWith as urlWithChange, withRedisAdmin } from '../../support/provider-targets.js';
import { providerConformance, type ConformanceFixture } from './conformance.js';
import { closedPort, FaultSwitch } from './fault-switch.js';

const ADMIN_URL = REDIS_ADMIN_URL;
const withAdmin = withRedisAdmin;
const urlWith = (change: { user?: string; password?: string; port?: number }) => urlWithChange(ADMIN_URL, change);

const PASSWORD = 'conformance-password';

/** The ACL docs/providers/redis.md gives Keycard's own user (keep the two in step). */
const LEAST_PRIVILEGE_RULES = [
  'on', 'resetkeys', '~keycard:lock:acl:*', 'resetchannels', '-@all',
  '+acl|setuser', '+acl|getuser', '+acl|users', '+acl|deluser', '+client|kill',
  '+set', '+get', '+del', '+eval',
];

/** Users Keycard manages are provisioned like this: off, a password, no permissions. */
const createManagedUser = (name: string) =>
  withAdmin((redis) => redis.sendCommand(['ACL', 'SETUSER', name, 'reset', `>${PASSWORD}`]));

const deleteUsers = (...names: string[]) =>
  withAdmin(async (redis) => {
    await redis.sendCommand(['ACL', 'DELUSER', ...names]);
    await redis.sendCommand(['DEL', ...names.map((n) => `keycard:lock:acl:${n}`)]);
  });

const provider = (url = ADMIN_URL) => new RedisProvider('conformance', { url, timeout_ms: 5_000 });

async function redisFixture(): Promise<ConformanceFixture> {
  const identity = uniqueName('kc_conf_user');
  const weak = uniqueName('kc_conf_weak');
  await createManagedUser(identity);
  // Can log in and read, but may not use ACL: the "missing permission" fault.
  await withAdmin((redis) => redis.sendCommand(['ACL', 'SETUSER', weak, 'on', `>${PASSWORD}`, '+@read', '~*']));
  const real = provider();
  const down = provider(urlWith({ port: await closedPort() }));
  const unprivileged = provider(urlWith({ user: weak, password: PASSWORD }));
  const switcher = new FaultSwitch(real);
  return {
    provider: switcher,
    identity,
    spec: { rules: ['+@read', '~cache:*'] },
    injectRetryable: async () => switcher.nextCallVia(down),
    injectPermanent: async () => switcher.nextCallVia(unprivileged),
    async teardown() {
      await Promise.all([real.close(), down.close(), unprivileged.close()]);
      await deleteUsers(identity, weak);
    },
  };
}

providerConformance({ name: 'redis (ACL selector)', available: redisAvailable, setup: redisFixture });

describe('redis provider specifics', () => {
  let up = false;
  let redis: RedisProvider;
  const user = uniqueName('kc_redis_user');
  const read = { rules: ['+@read', '~cache:*'] };
  const write = { rules: ['+set', '+del', '~queue:*'] };

  beforeAll(async () => {
    up = await redisAvailable();
    if (!up) return;
    await createManagedUser(user);
    redis = provider();
  });

  afterAll(async () => {
    if (!up) return;
    await redis.close();
    await deleteUsers(user);
  });

  /** A connection authenticated as the managed user, the way the person would connect. */
  const connectAs = async () => {
    const client = createClient({ url: urlWith({ user, password: PASSWORD }), socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    await client.connect();
    return client;
  };

  it('holds two grant blocks at once and revokes them one by one', async (ctx) => {
    if (!up) return ctx.skip('Redis is not available');
    await redis.grant(user, read);
    await redis.grant(user, write);
    const session = await connectAs();
    await session.sendCommand(['GET', 'cache:x']);
    await session.sendCommand(['SET', 'queue:x', '1']);

    await redis.revoke(user, write);
    expect(await redis.listHolders(read)).toContain(user);
    expect(await redis.listHolders(write)).not.toContain(user);
    // The open connection loses the revoked selector at once and keeps the other.
    await expect(session.sendCommand(['SET', 'queue:x', '1'])).rejects.toThrow(/NOPERM/);
    await session.sendCommand(['GET', 'cache:x']);

    await redis.revoke(user, read);
    // The last revoke turns the user off and disconnects it.
    await expect(session.sendCommand(['GET', 'cache:x'])).rejects.toThrow();
    await expect(connectAs()).rejects.toThrow(/WRONGPASS|disabled/);
    session.destroy();
  });

  it('treats rules that Redis writes differently as the same grant', async (ctx) => {
    if (!up) return ctx.skip('Redis is not available');
    await redis.grant(user, { rules: ['+GET', '~cache:*'] });
    expect(await redis.listHolders({ rules: ['+get', '~cache:*'] })).toContain(user);
    await redis.revoke(user, { rules: ['+get', '~cache:*'] });
    expect(await redis.listHolders({ rules: ['+GET', '~cache:*'] })).not.toContain(user);
  });

  it('serialises concurrent changes to one user, also across provider instances', async (ctx) => {
    if (!up) return ctx.skip('Redis is not available');
    const other = provider();
    const specs = [1, 2, 3, 4, 5, 6].map((n) => ({ rules: ['+get', `~shard${n}:*`] }));
    await Promise.all(specs.map((spec, i) => (i % 2 ? other : redis).grant(user, spec)));
    for (const spec of specs) expect(await redis.listHolders(spec)).toEqual(expect.arrayContaining([user]));
    await Promise.all(specs.map((spec, i) => (i % 2 ? redis : other).revoke(user, spec)));
    for (const spec of specs) expect(await redis.listHolders(spec)).not.toContain(user);
    await other.close();
  });

  it('refuses an unknown user permanently and does not create it', async (ctx) => {
    if (!up) return ctx.skip('Redis is not available');
    const ghost = uniqueName('kc_ghost');
    await expect(redis.grant(ghost, read)).rejects.toMatchObject({ retryable: false });
    expect(await withAdmin((admin) => admin.sendCommand(['ACL', 'GETUSER', ghost]))).toBeNull();
  });

  it('works with the least privileges docs/providers/redis.md gives Keycard', async (ctx) => {
    if (!up) return ctx.skip('Redis is not available');
    const keycard = uniqueName('kc_redis_keycard');
    await withAdmin((admin) =>
      admin.sendCommand(['ACL', 'SETUSER', keycard, ...LEAST_PRIVILEGE_RULES, `>${PASSWORD}`]),
    );
    const limited = provider(urlWith({ user: keycard, password: PASSWORD }));
    try {
      await limited.grant(user, read);
      expect(await limited.listHolders(read)).toContain(user);
      await limited.revoke(user, read);
      await limited.revoke(user, read);
      expect(await limited.listHolders(read)).not.toContain(user);
    } finally {
      await limited.close();
      await deleteUsers(keycard);
    }
  });

  it('leaves no throwaway users behind', async (ctx) => {
    if (!up) return ctx.skip('Redis is not available');
    const users = await withAdmin((admin) => admin.sendCommand<string[]>(['ACL', 'USERS']));
    expect(users.filter((u) => u.startsWith('keycard-canonical-'))).toEqual([]);
  });

  it('rejects rules that could escape their selector or touch credentials', () => {
    for (const rule of ['on', 'nopass', '>secret', '~a) on (~b', 'reset', '+@read ~x']) {
      expect(redisKind.grantSchema.safeParse({ rules: [rule] }).success, rule).toBe(false);
    }
    expect(redisKind.grantSchema.safeParse({ rules: ['%R~cache:*', '&events:*', '-flushall', '+client|list'] }).success).toBe(true);
  });
});
