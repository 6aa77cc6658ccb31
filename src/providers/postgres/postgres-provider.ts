import postgres from 'postgres';
import { z } from 'zod';
import { isDuration, parseDuration } from '../../domain/duration.js';
import { parseSpec } from '../spec.js';
import { ProviderError, type Provider, type ProviderKind } from '../types.js';
import { classify, sqlState } from './postgres-errors.js';

const configSchema = z.strictObject({
  url: z.string().min(1).describe('Connection URL of the target server; write env:VAR'),
  max_connections: z.number().int().min(1).max(20).default(2),
});

/** Default mode: the requester's own role becomes a member of `role` for the window. */
const membershipGrant = z.strictObject({
  role: z.string().min(1).max(63).describe('The role the requester’s login role becomes a member of'),
});

/**
 * Login mode: the requester's own role may log in for the window. Keycard sets LOGIN and `VALID UNTIL`
 * (a backstop the server enforces on password logins even if Keycard is down), and on revoke sets
 * NOLOGIN and ends the role's open sessions, which NOLOGIN alone leaves running.
 */
const loginGrant = z.strictObject({
  login: z.literal(true).describe('Enable LOGIN on the requester’s role for the window'),
  valid_for: z
    .string()
    .refine(isDuration, { message: 'must be a duration such as 30m, 4h or 1d' })
    .describe('VALID UNTIL is set this far ahead at each grant; make it at least the resource’s duration.max'),
  end_sessions: z.boolean().default(true).describe('Terminate the role’s open sessions on revoke'),
});

const grantSchema = z.union([membershipGrant, loginGrant]);

type Config = z.infer<typeof configSchema>;
type GrantSpec = z.infer<typeof grantSchema>;
type LoginSpec = z.infer<typeof loginGrant>;

/**
 * Grants PostgreSQL role membership (`GRANT role TO login`) or a time-boxed LOGIN on a target server.
 * Every call is idempotent: a repeated GRANT or a REVOKE of a missing membership only raises a notice,
 * and ALTER ROLE sets the same state however often it runs.
 */
export class PostgresProvider implements Provider {
  readonly kind = 'postgres';
  private readonly sql: postgres.Sql;

  constructor(readonly name: string, config: Config) {
    this.sql = postgres(config.url, {
      max: config.max_connections,
      onnotice: () => {},
      connect_timeout: 10,
      idle_timeout: 30,
      connection: { application_name: `keycard:${name}` },
    });
  }

  async grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    const parsed = parseSpec(grantSchema, spec, this.kind);
    if ('login' in parsed) return this.run(() => this.enableLogin(identity, parsed));
    await this.run(() => this.sql`GRANT ${this.sql(parsed.role)} TO ${this.sql(identity)}`);
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    const parsed = parseSpec(grantSchema, spec, this.kind);
    try {
      if ('login' in parsed) await this.run(() => this.disableLogin(identity, parsed));
      else await this.run(() => this.sql`REVOKE ${this.sql(parsed.role)} FROM ${this.sql(identity)}`);
    } catch (error) {
      // A login that no longer exists holds nothing, and nobody is a member of a role that no longer
      // exists: either way the revocation is already true.
      if (error instanceof ProviderError && sqlState(error.cause) === '42704') {
        const gone = !(await this.roleExists(identity)) || ('role' in parsed && !(await this.roleExists(parsed.role)));
        if (gone) return;
      }
      throw error;
    }
  }

  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const parsed = parseSpec(grantSchema, spec, this.kind);
    // Login mode lists every role that can log in now, however it got there (standing logins too).
    const rows = await this.run(() =>
      'login' in parsed
        ? this.sql<Array<{ member: string }>>`
            SELECT rolname AS member FROM pg_roles
            WHERE rolcanlogin AND (rolvaliduntil IS NULL OR rolvaliduntil > now())
            ORDER BY rolname`
        : this.sql<Array<{ member: string }>>`
            SELECT m.rolname AS member
            FROM pg_auth_members am
            JOIN pg_roles r ON r.oid = am.roleid
            JOIN pg_roles m ON m.oid = am.member
            WHERE r.rolname = ${parsed.role}
            ORDER BY m.rolname`,
    );
    return rows.map((r) => r.member);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }

  /**
   * VALID UNTIL never moves earlier: when overlapping grants both call this, the later window wins.
   * The time comes from the server's clock, the one that enforces it. ALTER ROLE takes no bind
   * parameters, so the server quotes the statement itself with format(%I, %L).
   */
  private async enableLogin(identity: string, spec: LoginSpec): Promise<void> {
    const rows = await this.sql<Array<{ statement: string }>>`
      SELECT format('ALTER ROLE %I LOGIN VALID UNTIL %L', rolname, GREATEST(
        CASE WHEN rolvaliduntil > now() AND rolvaliduntil < 'infinity' THEN rolvaliduntil END,
        now() + ${parseDuration(spec.valid_for)} * interval '1 millisecond')) AS statement
      FROM pg_roles WHERE rolname = ${identity}`;
    const statement = rows[0]?.statement;
    if (!statement) throw new ProviderError(`the role "${identity}" does not exist on the target server`, { retryable: false });
    await this.sql.unsafe(statement);
  }

  /** NOLOGIN first, so an ended session cannot reconnect in between. */
  private async disableLogin(identity: string, spec: LoginSpec): Promise<void> {
    await this.sql`ALTER ROLE ${this.sql(identity)} NOLOGIN VALID UNTIL '-infinity'`;
    if (spec.end_sessions) {
      await this.sql`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE usename = ${identity} AND pid <> pg_backend_pid()`;
    }
  }

  private async roleExists(name: string): Promise<boolean> {
    const rows = await this.sql`SELECT 1 FROM pg_roles WHERE rolname = ${name}`;
    return rows.length > 0;
  }

  private async run<T>(statement: () => Promise<T>): Promise<T> {
    try {
      return await statement();
    } catch (error) {
      throw classify(error);
    }
  }
}

export const postgresKind: ProviderKind<Config, GrantSpec> = {
  kind: 'postgres',
  configSchema,
  grantSchema,
  create: (name, config) => new PostgresProvider(name, config),
};
