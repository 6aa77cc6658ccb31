import mysql from 'mysql2/promise';
import { servicesRequired, uniqueName } from './databases.js';

/** MariaDB on this machine (root, no password); CI starts the same service. */
export const MARIADB_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

export async function mariadbAvailable(): Promise<boolean> {
  const conn = await mysql.createConnection({ uri: MARIADB_URL, connectTimeout: 3_000 }).catch((error: Error) => {
    if (servicesRequired) throw new Error(`MariaDB is required (KEYCARD_REQUIRE_SERVICES=1) but ${MARIADB_URL} is unreachable: ${error.message}`);
    return undefined;
  });
  await conn?.end();
  return conn !== undefined;
}

/** Accounts and roles made for one test, under unique names, dropped by `drop` (and only those). */
export class MariadbAccounts {
  private readonly users: string[] = [];
  private readonly roles: string[] = [];

  async run(...statements: string[]): Promise<void> {
    const conn = await mysql.createConnection({ uri: MARIADB_URL });
    try {
      for (const statement of statements) await conn.query(statement);
    } finally {
      await conn.end();
    }
  }

  /** An account `'<name>'@'%'` that exists and holds nothing. */
  async createUser(name: string): Promise<string> {
    await this.run(`CREATE USER '${name}'@'%'`);
    this.users.push(name);
    return name;
  }

  async createRole(prefix: string): Promise<string> {
    const role = uniqueName(prefix);
    await this.run(`CREATE ROLE ${role}`);
    this.roles.push(role);
    return role;
  }

  /** Whether the account holds the role, as MariaDB records it. */
  async hasRole(user: string, role: string): Promise<boolean> {
    const conn = await mysql.createConnection({ uri: MARIADB_URL });
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT 1 FROM mysql.roles_mapping WHERE User = ? AND Host = ? AND Role = ?', [user, '%', role]);
      return rows.length > 0;
    } finally {
      await conn.end();
    }
  }

  async drop(): Promise<void> {
    await this.run(...this.users.map((u) => `DROP USER IF EXISTS '${u}'@'%'`), ...this.roles.map((r) => `DROP ROLE IF EXISTS ${r}`));
  }
}
