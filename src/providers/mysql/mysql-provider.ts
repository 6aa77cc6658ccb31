import mysql from 'mysql2/promise';
import { z } from 'zod';
import { parseSpec } from '../spec.js';
import { ProviderError, type Provider, type ProviderKind } from '../types.js';
import { classify, errno, NOT_PRESENT } from './mysql-errors.js';
import {
  account,
  databaseLevel,
  NO_AUTO_CREATE_USER,
  PRIVILEGE_COLUMNS,
  PRIVILEGES,
  privilegeList,
  roleId,
  type Privilege,
} from './mysql-statements.js';

const configSchema = z.strictObject({
  url: z.string().min(1).describe('mysql://user:password@host:port/ of the target server; write env:VAR'),
  host: z.string().min(1).max(255).default('%').describe("The account host identities live at: 'user'@'<host>'"),
  max_connections: z.number().int().min(1).max(20).default(2),
});

/** Default mode: the requester's account is granted a role (`GRANT role TO 'user'@'host'`). */
/**
 * MariaDB/MySQL leave open sessions their access after REVOKE (an activated role stays active;
 * database privileges stay until the next USE), so by default revoke also ends the account's sessions.
 */
const endSessions = z.boolean().default(true).describe('On revoke, KILL the account’s open connections');

const roleGrant = z.strictObject({
  role: z.string().min(1).max(128).describe('The role granted to the requester’s account'),
  end_sessions: endSessions,
  default_role: z
    .boolean()
    .default(false)
    .describe('MariaDB only: also make it the account’s default role, active at login without SET ROLE'),
});

/** Privileges on every table of one database (`GRANT SELECT, … ON db.* TO 'user'@'host'`). */
const privilegeGrant = z.strictObject({
  database: z.string().min(1).max(64).describe('The database the privileges apply to (all its tables)'),
  end_sessions: endSessions,
  privileges: z
    .array(z.enum(PRIVILEGES))
    .min(1)
    .refine((list) => new Set(list).size === list.length, { message: 'names a privilege twice' })
    .describe('Database-level privileges, e.g. [SELECT, INSERT]'),
});

const grantSchema = z.union([roleGrant, privilegeGrant]);

type Config = z.infer<typeof configSchema>;
type GrantSpec = z.infer<typeof grantSchema>;
type Holder = { user: string; host: string };

/**
 * Grants MariaDB/MySQL roles or database privileges to an existing account. GRANT of something held
 * changes nothing; REVOKE of something absent answers an error that means "not there", taken as done.
 */
export class MysqlProvider implements Provider {
  readonly kind = 'mysql';
  private readonly pool: mysql.Pool;
  private readonly host: string;
  private flavor: Promise<'mariadb' | 'mysql'> | undefined;

  constructor(readonly name: string, config: Config) {
    this.host = config.host;
    this.pool = mysql.createPool({
      uri: config.url,
      connectionLimit: config.max_connections,
      connectTimeout: 10_000,
      // MariaDB's mysql.user is a view whose computed columns are utf8mb4_general_ci; a literal in
      // another collation (mysql2's default is unicode_ci) cannot be compared with them.
      charset: 'UTF8MB4_GENERAL_CI',
      maxIdle: 1,
      idleTimeout: 30_000,
    });
  }

  async grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    const parsed = parseSpec(grantSchema, spec, this.kind);
    const who = account(identity, this.host);
    await this.run(async () => {
      if ('role' in parsed && parsed.default_role) await this.requireMariadb('default_role');
      const conn = await this.pool.getConnection();
      try {
        await conn.query(NO_AUTO_CREATE_USER); // an unknown identity must fail, not become a new account
        if ('role' in parsed) {
          await conn.query(`GRANT ${roleId(parsed.role)} TO ${who}`);
          if (parsed.default_role) await conn.query(`SET DEFAULT ROLE ${roleId(parsed.role)} FOR ${who}`);
        } else {
          await conn.query(`GRANT ${privilegeList(parsed.privileges)} ON ${databaseLevel(parsed.database).target} TO ${who}`);
        }
      } finally {
        conn.release();
      }
    });
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    const parsed = parseSpec(grantSchema, spec, this.kind);
    const who = account(identity, this.host);
    await this.run(async () => {
      if ('role' in parsed && parsed.default_role && (await this.flavorOf()) === 'mariadb') {
        // REVOKE leaves the default-role record behind; a later re-grant would silently reactivate it.
        const [rows] = await this.pool.query<mysql.RowDataPacket[]>(
          'SELECT default_role FROM mysql.user WHERE User = ? AND Host = ?',
          [identity, this.host],
        );
        if (rows[0]?.default_role === parsed.role) await this.pool.query(`SET DEFAULT ROLE NONE FOR ${who}`);
      }
      const statement =
        'role' in parsed
          ? `REVOKE ${roleId(parsed.role)} FROM ${who}`
          : `REVOKE ${privilegeList(parsed.privileges)} ON ${databaseLevel(parsed.database).target} FROM ${who}`;
      try {
        await this.pool.query(statement);
      } catch (error) {
        if (!NOT_PRESENT.has(errno(error) ?? 0)) throw error;
      }
      if (parsed.end_sessions) await this.endSessions(identity);
    });
  }

  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const parsed = parseSpec(grantSchema, spec, this.kind);
    const holders = await this.run(async () => {
      if ('role' in parsed) {
        // Direct grants to accounts; MariaDB keeps role-to-role grants in the same table with Host ''.
        const sql =
          (await this.flavorOf()) === 'mariadb'
            ? "SELECT User AS user, Host AS host FROM mysql.roles_mapping WHERE Role = ? AND Host <> ''"
            : "SELECT TO_USER AS user, TO_HOST AS host FROM mysql.role_edges WHERE FROM_USER = ? AND FROM_HOST = '%'";
        const [rows] = await this.pool.query<mysql.RowDataPacket[]>(sql, [parsed.role]);
        return rows as Holder[];
      }
      return this.privilegeHolders(parsed.database, parsed.privileges);
    });
    const names = holders.map((h) => (h.host === this.host ? h.user : `${h.user}@${h.host}`));
    return [...new Set(names)].sort();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Accounts holding every listed privilege on the database, granted on it directly (escaped or as a
   * pattern naming it exactly) or globally (ON *.*). Grants via roles or wildcard patterns are not seen.
   */
  private async privilegeHolders(database: string, privileges: readonly Privilege[]): Promise<Holder[]> {
    const all = privileges.map((p) => `${PRIVILEGE_COLUMNS[p]} = 'Y'`).join(' AND ');
    const [rows] = await this.pool.query<mysql.RowDataPacket[]>(
      `SELECT User AS user, Host AS host FROM mysql.db WHERE Db IN (?, ?) AND ${all} AND Host <> ''
       UNION SELECT User AS user, Host AS host FROM mysql.user WHERE ${all} AND Host <> ''`,
      [databaseLevel(database).stored, database],
    );
    return rows as Holder[];
  }

  /**
   * Kills the user's connections (by user name: the process list does not say which account host they
   * matched). Without PROCESS the list shows only our own threads and this would silently do nothing,
   * so that is checked first and refused.
   */
  private async endSessions(user: string): Promise<void> {
    const [process] = await this.pool.query<mysql.RowDataPacket[]>(
      "SELECT 1 FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'PROCESS' LIMIT 1",
    );
    if (process.length === 0) {
      throw new ProviderError('ending open sessions needs the PROCESS privilege (or set end_sessions: false)', { retryable: false });
    }
    const [threads] = await this.pool.query<mysql.RowDataPacket[]>(
      'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()',
      [user],
    );
    for (const { id } of threads) {
      await this.pool.query(`KILL CONNECTION ${Number(id)}`).catch((error: unknown) => {
        if (errno(error) !== 1094) throw error; // 1094: unknown thread, it already ended
      });
    }
  }

  private flavorOf(): Promise<'mariadb' | 'mysql'> {
    this.flavor ??= this.pool.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v').then(
      ([rows]) => (String(rows[0]?.v).includes('MariaDB') ? 'mariadb' : 'mysql'),
      (error: unknown) => {
        this.flavor = undefined; // ask again next time; the server may just have been unreachable
        throw error;
      },
    );
    return this.flavor;
  }

  private async requireMariadb(feature: string): Promise<void> {
    if ((await this.flavorOf()) !== 'mariadb') {
      throw new ProviderError(`${feature} is MariaDB-only; on MySQL set activate_all_roles_on_login instead`, { retryable: false });
    }
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw classify(error);
    }
  }
}

export const mysqlKind: ProviderKind<Config, GrantSpec> = {
  kind: 'mysql',
  configSchema,
  grantSchema,
  create: (name, config) => new MysqlProvider(name, config),
};
