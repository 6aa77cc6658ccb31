import postgres from 'postgres';
import { z } from 'zod';
import { ProviderError, type Provider, type ProviderKind } from '../types.js';

const configSchema = z.strictObject({
  url: z.string().min(1).describe('Connection URL of the target server; write env:VAR'),
  max_connections: z.number().int().min(1).max(20).default(2),
});

const grantSchema = z.strictObject({
  role: z
    .string()
    .min(1)
    .max(63)
    .describe('The role the requester’s login role becomes a member of'),
});

type Config = z.infer<typeof configSchema>;
type GrantSpec = z.infer<typeof grantSchema>;

/**
 * Grants PostgreSQL role membership (`GRANT role TO login`) on a target server. Both statements are
 * idempotent in PostgreSQL: a repeated GRANT or a REVOKE of a missing membership only raises a notice.
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
    const { role } = grantSchema.parse(spec);
    await this.run(() => this.sql`GRANT ${this.sql(role)} TO ${this.sql(identity)}`);
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    const { role } = grantSchema.parse(spec);
    try {
      await this.run(() => this.sql`REVOKE ${this.sql(role)} FROM ${this.sql(identity)}`);
    } catch (error) {
      // A login role that no longer exists holds nothing: the revocation is already true.
      if (error instanceof ProviderError && error.cause && sqlState(error.cause) === '42704' && !(await this.roleExists(identity))) return;
      throw error;
    }
  }

  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const { role } = grantSchema.parse(spec);
    const rows = await this.run(
      () => this.sql<Array<{ member: string }>>`
        SELECT m.rolname AS member
        FROM pg_auth_members am
        JOIN pg_roles r ON r.oid = am.roleid
        JOIN pg_roles m ON m.oid = am.member
        WHERE r.rolname = ${role}
        ORDER BY m.rolname`,
    );
    return rows.map((r) => r.member);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
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

/** PostgreSQL SQLSTATE classes that no retry will fix. */
const PERMANENT_STATES: Record<string, string> = {
  '42704': 'the role or login does not exist on the target server',
  '42501': 'Keycard’s database user lacks the permission to grant this role',
  '0LP01': 'the grant is not allowed (invalid grant operation)',
  '28P01': 'the target server refused Keycard’s password',
  '28000': 'the target server refused Keycard’s credentials',
  '3D000': 'the target database does not exist',
};

function sqlState(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

function classify(error: unknown): ProviderError {
  const state = sqlState(error);
  const message = (error as Error)?.message ?? String(error);
  if (state && PERMANENT_STATES[state]) {
    return new ProviderError(`${PERMANENT_STATES[state]}: ${message}`, { retryable: false, cause: error });
  }
  return new ProviderError(message, { retryable: true, cause: error });
}

export const postgresKind: ProviderKind<Config, GrantSpec> = {
  kind: 'postgres',
  configSchema,
  grantSchema,
  create: (name, config) => new PostgresProvider(name, config),
};
