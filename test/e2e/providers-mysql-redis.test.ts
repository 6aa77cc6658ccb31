import { createClient } from '@redis/client';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/slack/ids.js';
import { postgresAvailable, uniqueName } from '../support/databases.js';
import { visibleText } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';
import {
  MYSQL_ADMIN_URL,
  mysqlAdmin,
  mysqlAvailable,
  mysqlQuery,
  REDIS_ADMIN_URL,
  redisAvailable,
  urlWith,
  withRedisAdmin,
} from '../support/provider-targets.js';

const available = (await postgresAvailable()) && (await mysqlAvailable()) && (await redisAvailable());

/**
 * Request → approve → grant → expiry through the real Slack app against the real MariaDB and Redis:
 * the grant is checked on the server itself (SHOW GRANTS, ACL GETUSER, and by connecting as the person),
 * not through Keycard's own view of it. Ana asks for a MariaDB role for 1h and Redis read access for 30m
 * at once; each ends on its own schedule.
 */
describe.skipIf(!available)('mysql and redis: request → Approve → real grant → expiry → really gone', () => {
  const h = new Harness();
  const PASSWORD = 'e2e-person-password';
  const mysqlUser = uniqueName('kc_e2e_my_ana'); // Ana's MariaDB account: the local part of her Slack email
  const mysqlRole = uniqueName('kc_e2e_my_ro');
  const redisUser = uniqueName('kc_e2e_redis_ana'); // Ana's Redis ACL user: from a Slack profile field
  const requestIds: Record<string, string> = {};

  beforeAll(async () => {
    await mysqlAdmin(`CREATE USER '${mysqlUser}'@'%' IDENTIFIED BY '${PASSWORD}'`, `CREATE ROLE ${mysqlRole}`);
    // Provisioned as the redis provider page says: off, a password, no permissions of its own.
    await withRedisAdmin((redis) => redis.sendCommand(['ACL', 'SETUSER', redisUser, 'reset', `>${PASSWORD}`]));
    h.slack
      .defineProfileFields([{ id: 'Xf0REDISUSER', label: 'Redis user' }])
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: `${mysqlUser}@example.com`, fields: { Xf0REDISUSER: redisUser } })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    await h.start(
      `
providers:
  app-db: { kind: mysql, url: env:TARGET_MYSQL_URL }
  cache:
    kind: redis
    url: env:TARGET_REDIS_URL
    identity: { from: profile_field, field: Xf0REDISUSER }
resources:
  app-db-readonly:
    provider: app-db
    grant: { role: ${mysqlRole} }
    approvers: [UBOB]
    duration: { default: 1h, max: 4h }
  cache-read:
    provider: cache
    grant: { rules: ['+@read', '~cache:*'] }
    approvers: [UBOB]
    duration: { default: 30m, max: 1h }
`,
      { TARGET_MYSQL_URL: MYSQL_ADMIN_URL, TARGET_REDIS_URL: REDIS_ADMIN_URL },
    );
  });

  afterAll(async () => {
    await h.stop();
    if (!available) return;
    await mysqlAdmin(`DROP USER IF EXISTS '${mysqlUser}'@'%'`, `DROP ROLE IF EXISTS ${mysqlRole}`);
    await withRedisAdmin(async (redis) => {
      await redis.sendCommand(['ACL', 'DELUSER', redisUser]);
      await redis.sendCommand(['DEL', `keycard:lock:acl:${redisUser}`]);
    });
  });

  /** The account's grants as the server prints them. */
  const showGrants = async () => (await mysqlQuery(`SHOW GRANTS FOR '${mysqlUser}'@'%'`)).map((row) => String(Object.values(row)[0]));
  const roleGranted = async () => (await showGrants()).some((g) => g.includes(`GRANT \`${mysqlRole}\` TO \`${mysqlUser}\`@\`%\``));

  /** ACL GETUSER, reduced to on/off and its selectors (the client answers a map; a flat RESP2 list also works). */
  const aclUser = () =>
    withRedisAdmin(async (redis) => {
      const reply = await redis.sendCommand<unknown>(['ACL', 'GETUSER', redisUser]);
      const get = (v: unknown, name: string) => (Array.isArray(v) ? v[v.indexOf(name) + 1] : (v as Record<string, unknown>)[name]);
      const selectors = (get(reply, 'selectors') as unknown[]).map((s) => `${String(get(s, 'keys'))} ${String(get(s, 'commands'))}`);
      return { on: (get(reply, 'flags') as string[]).includes('on'), selectors };
    });

  const connectToMariadbAsAna = () => mysql.createConnection({ uri: urlWith(MYSQL_ADMIN_URL, { user: mysqlUser, password: PASSWORD }) });
  const connectToRedisAsAna = async () => {
    const client = createClient({ url: urlWith(REDIS_ADMIN_URL, { user: redisUser, password: PASSWORD }), socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    await client.connect();
    return client;
  };

  async function requestAs(userId: string, text: string): Promise<string> {
    const { responseName, response } = h.command(userId, text);
    expect((await response).status).toBe(200);
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], `reply to ${text}`);
    expect(reply.text).toMatch(/Requested/);
    const [row] = await h.sql<{ id: string }>(`SELECT id FROM requests WHERE resource = '${text.split(' ')[1]}'`);
    return row!.id;
  }

  it('files both requests under the identity each provider maps Ana to, and asks Bob in a DM', async () => {
    requestIds.mysql = await requestAs('UANA', 'request app-db-readonly 1h debugging INC-7');
    requestIds.redis = await requestAs('UANA', 'request cache-read 30m debugging INC-7');
    const identities = await h.sql<{ resource: string; identity: string }>(`SELECT resource, identity FROM requests ORDER BY resource`);
    expect(identities).toEqual([
      { resource: 'app-db-readonly', identity: mysqlUser },
      { resource: 'cache-read', identity: redisUser },
    ]);
    await h.settle();
    const dms = h.slack.messagesIn('UBOB').map(visibleText);
    expect(dms.some((t) => t.includes('app-db-readonly') && t.includes('debugging INC-7'))).toBe(true);
    expect(dms.some((t) => t.includes('cache-read'))).toBe(true);
    // Nothing is granted before anyone approves.
    expect(await roleGranted()).toBe(false);
    expect(await aclUser()).toEqual({ on: false, selectors: [] });
  });

  it('grants the MariaDB role and the Redis selector on Approve: on the server, and usable by Ana', async () => {
    await (await h.click('UBOB', ACTION.approve, requestIds.mysql!)).response;
    await (await h.click('UBOB', ACTION.approve, requestIds.redis!)).response;
    await h.eventually(async () => (await h.requestStatus(requestIds.mysql!)) === 'approved' && (await h.requestStatus(requestIds.redis!)) === 'approved', 'both approvals');
    await h.settle();

    const grants = await h.sql<{ resource: string; status: string }>(`SELECT resource, status FROM grants ORDER BY resource`);
    expect(grants).toEqual([
      { resource: 'app-db-readonly', status: 'active' },
      { resource: 'cache-read', status: 'active' },
    ]);
    expect(await roleGranted()).toBe(true);
    expect(await aclUser()).toEqual({ on: true, selectors: ['~cache:* -@all +@read'] });

    const session = await connectToMariadbAsAna();
    await session.query(`SET ROLE ${mysqlRole}`);
    await session.end();
    const redis = await connectToRedisAsAna();
    await redis.sendCommand(['GET', 'cache:e2e']);
    await expect(redis.sendCommand(['SET', 'cache:e2e', 'x'])).rejects.toThrow(/NOPERM/);
    redis.destroy();

    expect(h.slack.messagesIn('UANA').map(visibleText).join('\n')).toMatch(/is \*active\* as/);
  });

  it('ends the 30-minute Redis access when its window ends, and leaves the 1-hour MariaDB role', async () => {
    const openRedis = await connectToRedisAsAna();
    h.clock.advance(30 * 60_000 + 1_000);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.settle();

    expect(await aclUser()).toEqual({ on: false, selectors: [] });
    await expect(openRedis.sendCommand(['GET', 'cache:e2e'])).rejects.toThrow(); // disconnected, not just off
    openRedis.destroy();
    await expect(connectToRedisAsAna()).rejects.toThrow(/WRONGPASS|disabled/);
    expect(await roleGranted()).toBe(true);

    const statuses = await h.sql<{ resource: string; status: string }>(`SELECT resource, status FROM grants ORDER BY resource`);
    expect(statuses.map((g) => g.status)).toEqual(['active', 'revoked']);
    expect(h.slack.messagesIn('UANA').map(visibleText).join('\n')).toMatch(/access to `cache-read` \*ended\*/);
  });

  it('revokes the MariaDB role when its hour is up and ends Ana’s open session that had it active', async () => {
    const session = await connectToMariadbAsAna();
    await session.query(`SET ROLE ${mysqlRole}`);
    h.clock.advance(30 * 60_000);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.settle();

    expect(await roleGranted()).toBe(false);
    expect(await showGrants()).not.toEqual(expect.arrayContaining([expect.stringContaining(mysqlRole)]));
    await expect(session.query('SELECT CURRENT_ROLE()')).rejects.toThrow(); // the session was killed
    session.destroy();
    const fresh = await connectToMariadbAsAna();
    await expect(fresh.query(`SET ROLE ${mysqlRole}`)).rejects.toThrow();
    await fresh.end();

    const [grant] = await h.sql<{ status: string }>(`SELECT status FROM grants WHERE resource = 'app-db-readonly'`);
    expect(grant!.status).toBe('revoked');
    expect(h.slack.messagesIn('UANA').map(visibleText).join('\n')).toMatch(/access to `app-db-readonly` \*ended\*/);
    const actions = (await h.sql<{ action: string }>(`SELECT action FROM audit_events ORDER BY id`)).map((r) => r.action);
    expect(actions.filter((a) => a === 'grant.revoked')).toHaveLength(2);
  });
});
