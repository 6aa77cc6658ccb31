import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresProvider } from '../../../src/providers/postgres/postgres-provider.js';
import { ADMIN_URL, postgresAvailable, uniqueName } from '../../support/databases.js';
import { providerConformance, type ConformanceFixture } from './conformance.js';
import { closedPort, FaultSwitch } from './fault-switch.js';

/** A URL for the same server with another user (trust auth on this machine) or another port. */
function urlWith(change: { user?: string; port?: number }): string {
  const url = new URL(ADMIN_URL);
  if (change.user) url.username = change.user;
  if (change.port) url.port = String(change.port);
  return url.toString();
}

/**
 * Makes unique roles for one fixture: `identity` (NOLOGIN, holds nothing), `role` (the entitlement) and
 * `weak` (can log in but may not grant or alter roles: the "missing permission" fault). Drops only them.
 */
async function postgresFixture(spec: (role: string) => Record<string, unknown>): Promise<ConformanceFixture> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  const identity = uniqueName('kc_conf_user');
  const role = uniqueName('kc_conf_role');
  const weak = uniqueName('kc_conf_weak');
  await admin.unsafe(`CREATE ROLE "${identity}" NOLOGIN; CREATE ROLE "${role}" NOLOGIN; CREATE ROLE "${weak}" LOGIN`);
  const real = new PostgresProvider('conformance', { url: ADMIN_URL, max_connections: 2 });
  const down = new PostgresProvider('conformance-down', { url: urlWith({ port: await closedPort() }), max_connections: 1 });
  const unprivileged = new PostgresProvider('conformance-weak', { url: urlWith({ user: weak }), max_connections: 1 });
  const provider = new FaultSwitch(real);
  return {
    provider,
    identity,
    spec: spec(role),
    injectRetryable: async () => provider.nextCallVia(down), // server unreachable
    injectPermanent: async () => provider.nextCallVia(unprivileged), // Keycard's login lacks the right
    async teardown() {
      await Promise.all([real.close(), down.close(), unprivileged.close()]);
      await admin.unsafe(`DROP ROLE IF EXISTS "${identity}"; DROP ROLE IF EXISTS "${role}"; DROP ROLE IF EXISTS "${weak}"`);
      await admin.end({ timeout: 1 });
    },
  };
}

providerConformance({
  name: 'postgres (role membership)',
  available: postgresAvailable,
  setup: () => postgresFixture((role) => ({ role })),
});

providerConformance({
  name: 'postgres (login with VALID UNTIL)',
  available: postgresAvailable,
  setup: () => postgresFixture(() => ({ login: true, valid_for: '2h' })),
});

describe('postgres login mode specifics', () => {
  let admin: postgres.Sql | undefined;
  let provider: PostgresProvider;
  const identity = uniqueName('kc_login');
  const spec = { login: true, valid_for: '1h' };

  beforeAll(async () => {
    if (!(await postgresAvailable())) return;
    admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE ROLE "${identity}" NOLOGIN`);
    provider = new PostgresProvider('login-specifics', { url: ADMIN_URL, max_connections: 2 });
  });

  afterAll(async () => {
    if (!admin) return;
    await provider.close();
    await admin.unsafe(`DROP ROLE IF EXISTS "${identity}"`);
    await admin.end({ timeout: 1 });
  });

  const roleState = async () => {
    const [row] = await admin!<Array<{ canlogin: boolean; expired: boolean; seconds_left: number | null }>>`
      SELECT rolcanlogin AS canlogin, rolvaliduntil = '-infinity' AS expired,
        CASE WHEN isfinite(rolvaliduntil) THEN extract(epoch FROM rolvaliduntil - now())::float8 END AS seconds_left
      FROM pg_roles WHERE rolname = ${identity}`;
    return row!;
  };

  it('sets VALID UNTIL valid_for ahead and never moves it earlier', async (ctx) => {
    if (!admin) return ctx.skip('PostgreSQL is not available');
    await provider.grant(identity, spec);
    const first = await roleState();
    expect(first.canlogin).toBe(true);
    expect(first.seconds_left).toBeGreaterThan(3590);
    expect(first.seconds_left).toBeLessThanOrEqual(3600);
    // A shorter overlapping grant keeps the longer window.
    await provider.grant(identity, { ...spec, valid_for: '10m' });
    expect((await roleState()).seconds_left).toBeGreaterThan(3500);
  });

  it('revoke sets NOLOGIN, expires the password and ends open sessions', async (ctx) => {
    if (!admin) return ctx.skip('PostgreSQL is not available');
    await provider.grant(identity, spec);
    const session = postgres(urlWith({ user: identity }), { max: 1, onnotice: () => {} });
    await session`SELECT 1`;
    await provider.revoke(identity, spec);
    const state = await roleState();
    expect(state.canlogin).toBe(false);
    expect(state.expired).toBe(true);
    await expect(session`SELECT 1`).rejects.toThrow();
    await session.end({ timeout: 1 }).catch(() => {});
    await expect(postgres(urlWith({ user: identity }), { max: 1 })`SELECT 1`).rejects.toThrow(/not permitted to log in/);
  });

  it('works with the least privileges docs/providers/postgres.md gives Keycard', async (ctx) => {
    if (!admin) return ctx.skip('PostgreSQL is not available');
    const keycard = uniqueName('kc_pg_keycard');
    const role = uniqueName('kc_pg_role');
    const [{ version }] = await admin<[{ version: number }]>`SELECT current_setting('server_version_num')::int AS version`;
    // From PostgreSQL 16, CREATEROLE alters only roles it holds ADMIN on; INHERIT/SET FALSE keep
    // Keycard from using those roles' privileges itself. Before 16, CREATEROLE alone suffices.
    const admin16 = 'WITH ADMIN TRUE, INHERIT FALSE, SET FALSE';
    await admin.unsafe(`
      CREATE ROLE "${role}" NOLOGIN;
      CREATE ROLE "${keycard}" LOGIN CREATEROLE;
      GRANT "${role}" TO "${keycard}" ${version >= 160000 ? admin16 : 'WITH ADMIN OPTION'};
      ${version >= 160000 ? `GRANT "${identity}" TO "${keycard}" ${admin16};` : ''}
      GRANT pg_signal_backend TO "${keycard}";`);
    const limited = new PostgresProvider('least-privilege', { url: urlWith({ user: keycard }), max_connections: 1 });
    try {
      for (const s of [{ role }, spec]) {
        await limited.grant(identity, s);
        expect(await limited.listHolders(s)).toContain(identity);
        await limited.revoke(identity, s);
        await limited.revoke(identity, s);
        expect(await limited.listHolders(s)).not.toContain(identity);
      }
    } finally {
      await limited.close();
      await admin.unsafe(`DROP ROLE "${keycard}"; DROP ROLE "${role}"`);
    }
  });

  it('granting to a role that does not exist is a permanent error', async (ctx) => {
    if (!admin) return ctx.skip('PostgreSQL is not available');
    await expect(provider.grant(uniqueName('kc_missing'), spec)).rejects.toMatchObject({ retryable: false });
  });
});
