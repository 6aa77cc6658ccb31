import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlProvider } from '../../../src/providers/mysql/mysql-provider.js';
import { uniqueName } from '../../support/databases.js';
import { MYSQL_ADMIN_URL, mysqlAdmin, mysqlAvailable, urlWith as urlWithChange } from '../../support/provider-targets.js';
import { providerConformance, type ConformanceFixture } from './conformance.js';
import { closedPort, FaultSwitch } from './fault-switch.js';

const ADMIN_URL = MYSQL_ADMIN_URL;
const admin = mysqlAdmin;
const urlWith = (change: { user?: string; port?: number }) => urlWithChange(ADMIN_URL, change);

/**
 * Unique accounts for one fixture: `identity` (exists, holds nothing), `role`, and `weak` (may log in,
 * may grant nothing: the "missing permission" fault). Drops only those.
 */
async function mysqlFixture(spec: (names: { role: string; database: string }) => Record<string, unknown>): Promise<ConformanceFixture> {
  const identity = uniqueName('kc_conf_user');
  const role = uniqueName('kc_conf_role');
  const weak = uniqueName('kc_conf_weak');
  const database = uniqueName('kc_conf_db');
  await admin(`CREATE USER '${identity}'@'%'`, `CREATE ROLE ${role}`, `CREATE USER '${weak}'@'%'`);
  const real = new MysqlProvider('conformance', { url: ADMIN_URL, host: '%', max_connections: 2 });
  const down = new MysqlProvider('conformance-down', { url: urlWith({ port: await closedPort() }), host: '%', max_connections: 1 });
  const unprivileged = new MysqlProvider('conformance-weak', { url: urlWith({ user: weak }), host: '%', max_connections: 1 });
  const provider = new FaultSwitch(real);
  return {
    provider,
    identity,
    spec: spec({ role, database }),
    injectRetryable: async () => provider.nextCallVia(down),
    injectPermanent: async () => provider.nextCallVia(unprivileged),
    async teardown() {
      await Promise.all([real.close(), down.close(), unprivileged.close()]);
      await admin(`DROP USER IF EXISTS '${identity}'@'%'`, `DROP ROLE IF EXISTS ${role}`, `DROP USER IF EXISTS '${weak}'@'%'`);
    },
  };
}

providerConformance({
  name: 'mysql (role)',
  available: mysqlAvailable,
  setup: () => mysqlFixture(({ role }) => ({ role })),
});

providerConformance({
  name: 'mysql (database privileges)',
  available: mysqlAvailable,
  setup: () => mysqlFixture(({ database }) => ({ database, privileges: ['SELECT', 'INSERT'] })),
});

describe('mysql provider specifics', () => {
  let up = false;
  let provider: MysqlProvider;
  const user = uniqueName('kc_my_user');
  const role = uniqueName('kc_my_role');

  beforeAll(async () => {
    up = await mysqlAvailable();
    if (!up) return;
    await admin(`CREATE USER '${user}'@'%'`, `CREATE ROLE ${role}`);
    provider = new MysqlProvider('specifics', { url: ADMIN_URL, host: '%', max_connections: 2 });
  });

  afterAll(async () => {
    if (!up) return;
    await provider.close();
    await admin(`DROP USER IF EXISTS '${user}'@'%'`, `DROP ROLE IF EXISTS ${role}`);
  });

  const query = async (sql: string, values: unknown[]) => {
    const conn = await mysql.createConnection({ uri: ADMIN_URL });
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(sql, values);
      return rows;
    } finally {
      await conn.end();
    }
  };

  it('does not create an account for an unknown identity: it is a permanent error', async (ctx) => {
    if (!up) return ctx.skip('MariaDB is not available');
    const ghost = uniqueName('kc_ghost');
    await expect(provider.grant(ghost, { role })).rejects.toMatchObject({ retryable: false });
    await expect(provider.grant(ghost, { database: 'kc_any', privileges: ['SELECT'] })).rejects.toMatchObject({ retryable: false });
    expect(await query('SELECT 1 FROM mysql.user WHERE User = ?', [ghost])).toHaveLength(0);
  });

  it('sets the default role with the grant and clears it with the revoke', async (ctx) => {
    if (!up) return ctx.skip('MariaDB is not available');
    const defaultRole = async () => (await query('SELECT default_role FROM mysql.user WHERE User = ?', [user]))[0]?.default_role;
    await provider.grant(user, { role, default_role: true });
    expect(await defaultRole()).toBe(role);
    await provider.revoke(user, { role, default_role: true });
    expect(await defaultRole()).toBe('');
    expect(await provider.listHolders({ role })).not.toContain(user);
  });

  it('escapes wildcards in database names: a grant on a_b does not reach aXb', async (ctx) => {
    if (!up) return ctx.skip('MariaDB is not available');
    const database = uniqueName('kc_my_db');
    await provider.grant(user, { database, privileges: ['SELECT'] });
    const rows = await query('SELECT Db FROM mysql.db WHERE User = ?', [user]);
    expect(rows.map((r) => r.Db)).toEqual([database.replace(/_/g, '\\_')]);
    expect(await provider.listHolders({ database, privileges: ['SELECT'] })).toContain(user);
    await provider.revoke(user, { database, privileges: ['SELECT'] });
    expect(await query('SELECT Db FROM mysql.db WHERE User = ?', [user])).toHaveLength(0);
  });

  it('works with the least privileges docs/providers/mysql.md gives Keycard', async (ctx) => {
    if (!up) return ctx.skip('MariaDB is not available');
    const keycard = uniqueName('kc_my_keycard');
    const database = uniqueName('kc_my_lp_db');
    await admin(
      `CREATE USER '${keycard}'@'%'`,
      `GRANT ${role} TO '${keycard}'@'%' WITH ADMIN OPTION`,
      `GRANT SELECT ON mysql.roles_mapping TO '${keycard}'@'%'`,
      `GRANT SELECT ON mysql.db TO '${keycard}'@'%'`,
      `GRANT SELECT ON mysql.user TO '${keycard}'@'%'`,
      `GRANT SELECT, INSERT ON \`${database}\`.* TO '${keycard}'@'%' WITH GRANT OPTION`,
      `GRANT PROCESS, CONNECTION ADMIN ON *.* TO '${keycard}'@'%'`,
    );
    const limited = new MysqlProvider('least-privilege', { url: urlWith({ user: keycard }), host: '%', max_connections: 1 });
    try {
      for (const spec of [{ role }, { database, privileges: ['SELECT', 'INSERT'] }]) {
        await limited.grant(user, spec);
        expect(await limited.listHolders(spec)).toContain(user);
        await limited.revoke(user, spec);
        await limited.revoke(user, spec);
        expect(await limited.listHolders(spec)).not.toContain(user);
      }
    } finally {
      await limited.close();
      await admin(`DROP USER IF EXISTS '${keycard}'@'%'`);
    }
  });

  it('revoke ends open sessions, which would otherwise keep an activated role', async (ctx) => {
    if (!up) return ctx.skip('MariaDB is not available');
    await provider.grant(user, { role });
    const session = await mysql.createConnection({ uri: urlWith({ user }) });
    await session.query(`SET ROLE ${role}`);
    await provider.revoke(user, { role });
    await expect(session.query('SELECT CURRENT_ROLE()')).rejects.toThrow();
    session.destroy();

    // With end_sessions: false the session survives, role still active: MariaDB's own behaviour.
    await provider.grant(user, { role });
    const kept = await mysql.createConnection({ uri: urlWith({ user }) });
    await kept.query(`SET ROLE ${role}`);
    await provider.revoke(user, { role, end_sessions: false });
    const [rows] = await kept.query<mysql.RowDataPacket[]>('SELECT CURRENT_ROLE() AS r');
    expect(rows[0]?.r).toBe(role);
    await kept.end();
  });

  it('refuses to end sessions it cannot see (no PROCESS privilege)', async (ctx) => {
    if (!up) return ctx.skip('MariaDB is not available');
    const keycard = uniqueName('kc_my_noproc');
    await admin(`CREATE USER '${keycard}'@'%'`, `GRANT ${role} TO '${keycard}'@'%' WITH ADMIN OPTION`);
    const limited = new MysqlProvider('no-process', { url: urlWith({ user: keycard }), host: '%', max_connections: 1 });
    try {
      await expect(limited.revoke(user, { role })).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('PROCESS') });
      await limited.revoke(user, { role, end_sessions: false });
    } finally {
      await limited.close();
      await admin(`DROP USER IF EXISTS '${keycard}'@'%'`);
    }
  });

  it('lists holders at another host as user@host', async (ctx) => {
    if (!up) return ctx.skip('MariaDB is not available');
    // The role's creator (root at 127.0.0.1 here) holds it WITH ADMIN OPTION: standing access, listed.
    expect(await provider.listHolders({ role })).toContain('root@127.0.0.1');
  });
});
