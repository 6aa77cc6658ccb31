import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { z } from 'zod';
import { parseSpec } from '../spec.js';
import { ProviderError, type Provider, type ProviderKind } from '../types.js';
import { parseAclUser, RULE, sameSelector, selectorArgument, selectorRules, type AclUser, type Selector } from './redis-acl.js';
import { classify } from './redis-errors.js';

const configSchema = z.strictObject({
  url: z.string().min(1).describe('redis://user:password@host:6379 (rediss:// for TLS); write env:VAR'),
  timeout_ms: z.number().int().min(100).max(60_000).default(10_000).describe('Per call, connecting included'),
});

const grantSchema = z.strictObject({
  rules: z
    .array(z.string().regex(RULE, { message: 'must be one command, key or channel rule such as +@read, -flushall, ~cache:* or &events:*' }))
    .min(1)
    .describe('ACL rules granted together as one selector, e.g. [+@read, "~cache:*"]'),
});

type Config = z.infer<typeof configSchema>;
type GrantSpec = z.infer<typeof grantSchema>;

function newClient(config: Config) {
  return createClient({
    url: config.url,
    RESP: 3,
    disableOfflineQueue: true, // fail now rather than queue while disconnected: callers retry with backoff
    socket: { connectTimeout: config.timeout_ms, reconnectStrategy: false },
  });
}
type Client = ReturnType<typeof newClient>;

const LOCK_TTL_MS = 10_000;
const RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/**
 * Grants Redis 7 ACL permissions to an existing ACL user. Each grant block is one selector
 * `(rules…)` on the user, so several resources on one server can be held at once and revoked one by
 * one. The user is `on` while it holds at least one selector; the last revoke turns it `off` and
 * disconnects it (`off` alone leaves open connections working). Passwords and root rules are never
 * touched: the person's credentials are set once, out of band.
 *
 * Redis cannot remove a single selector, so revoke rewrites the list; a per-user lock key keeps two
 * Keycard replicas from losing each other's change (invariant 7).
 */
export class RedisProvider implements Provider {
  readonly kind = 'redis';
  private client: Promise<Client> | undefined;

  constructor(readonly name: string, private readonly config: Config) {}

  async grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    const { rules } = parseSpec(grantSchema, spec, this.kind);
    await this.run(async (redis) => {
      const wanted = await this.canonical(redis, rules);
      await this.withUserLock(redis, identity, async () => {
        const user = await this.requireUser(redis, identity);
        const held = user.selectors.some((s) => sameSelector(s, wanted));
        if (held && user.on) return;
        await redis.sendCommand(['ACL', 'SETUSER', identity, 'on', ...(held ? [] : [selectorArgument(rules)])]);
      });
    });
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    const { rules } = parseSpec(grantSchema, spec, this.kind);
    await this.run(async (redis) => {
      const unwanted = await this.canonical(redis, rules);
      await this.withUserLock(redis, identity, async () => {
        const user = await this.getUser(redis, identity);
        if (!user) return; // no such user: it holds nothing
        const keep = user.selectors.filter((s) => !sameSelector(s, unwanted));
        if (keep.length === user.selectors.length) return; // not held: nothing to change
        const last = keep.length === 0;
        const rebuilt = keep.map((s) => selectorArgument(selectorRules(s)));
        await redis.sendCommand(['ACL', 'SETUSER', identity, ...(last ? ['off'] : []), 'clearselectors', ...rebuilt]);
        if (last) await redis.sendCommand(['CLIENT', 'KILL', 'USER', identity]).catch(() => 0); // none open: fine
      });
    });
  }

  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const { rules } = parseSpec(grantSchema, spec, this.kind);
    return this.run(async (redis) => {
      const wanted = await this.canonical(redis, rules);
      const names = (await redis.sendCommand<unknown[]>(['ACL', 'USERS'])).map(String);
      const users = await Promise.all(names.map(async (name) => ({ name, user: await this.getUser(redis, name) })));
      return users
        .filter(({ user }) => user?.on && user.selectors.some((s) => sameSelector(s, wanted)))
        .map(({ name }) => name)
        .sort();
    });
  }

  async close(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    const client = await pending?.catch(() => undefined);
    await client?.close().catch(() => client.destroy());
  }

  /**
   * The selector as this server normalises it (lower-cased, compacted, in its own order), learnt by
   * writing the rules to a throwaway user that is off and has no password, then deleting it.
   */
  private async canonical(redis: Client, rules: readonly string[]): Promise<Selector> {
    const scratch = `keycard-canonical-${randomBytes(6).toString('hex')}`;
    try {
      await redis.sendCommand(['ACL', 'SETUSER', scratch, 'reset', selectorArgument(rules)]);
      const selector = (await this.getUser(redis, scratch))?.selectors[0];
      if (!selector) throw new ProviderError('the Redis server did not report the selector it was given', { retryable: true });
      return selector;
    } finally {
      await redis.sendCommand(['ACL', 'DELUSER', scratch]).catch(() => 0);
    }
  }

  private async getUser(redis: Client, name: string): Promise<AclUser | null> {
    return parseAclUser(await redis.sendCommand(['ACL', 'GETUSER', name]));
  }

  private async requireUser(redis: Client, name: string): Promise<AclUser> {
    const user = await this.getUser(redis, name);
    if (user) return user;
    // ACL SETUSER would quietly create it, with no password nobody could use: refuse instead.
    throw new ProviderError(`there is no Redis ACL user "${name}"; create it (off, with the person's password) first`, { retryable: false });
  }

  private async withUserLock<T>(redis: Client, user: string, body: () => Promise<T>): Promise<T> {
    const key = `keycard:lock:acl:${user}`;
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + this.config.timeout_ms / 2;
    while ((await redis.sendCommand(['SET', key, token, 'NX', 'PX', String(LOCK_TTL_MS)])) === null) {
      if (Date.now() > deadline) {
        throw new ProviderError(`another Keycard process is changing the Redis user "${user}"`, { retryable: true });
      }
      await sleep(25 + Math.random() * 50);
    }
    try {
      return await body();
    } finally {
      await redis.sendCommand(['EVAL', RELEASE_LOCK, '1', key, token]).catch(() => 0); // expires anyway
    }
  }

  private connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = newClient(this.config);
    const pending = client.connect().then(() => client);
    const forget = () => {
      if (this.client === pending) this.client = undefined;
    };
    client.on('error', forget); // a dropped connection is not reused; the next call connects afresh
    client.on('end', forget);
    pending.catch(forget);
    this.client = pending;
    return pending;
  }

  private async run<T>(call: (redis: Client) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const stuck = this.client;
        this.client = undefined;
        void stuck?.then((c) => c.destroy(), () => {});
        reject(new ProviderError(`Redis did not answer within ${this.config.timeout_ms} ms`, { retryable: true }));
      }, this.config.timeout_ms);
    });
    try {
      return await Promise.race([this.connect().then(call), timeout]);
    } catch (error) {
      throw classify(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

export const redisKind: ProviderKind<Config, GrantSpec> = {
  kind: 'redis',
  configSchema,
  grantSchema,
  create: (name, config) => new RedisProvider(name, config),
};
