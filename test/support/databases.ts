import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * Real databases for tests. Each test file makes its own PostgreSQL database (or role) under a unique
 * name and drops only what it made. Without a server, PostgreSQL-only tests skip — unless
 * KEYCARD_REQUIRE_SERVICES=1 (set by .ci/run), when a missing server is a failure.
 */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const servicesRequired = process.env.KEYCARD_REQUIRE_SERVICES === '1';

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export async function postgresAvailable(): Promise<boolean> {
  const sql = postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return true;
  } catch (error) {
    if (servicesRequired) throw new Error(`PostgreSQL is required (KEYCARD_REQUIRE_SERVICES=1) but ${ADMIN_URL} is unreachable: ${(error as Error).message}`);
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** A URL with another database name on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database under a unique name; `drop` removes it (and only it). */
export async function createScratchDatabase(prefix = 'keycard_test'): Promise<ScratchDatabase> {
  const name = uniqueName(prefix);
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  return {
    name,
    url: withDatabase(ADMIN_URL, name),
    async drop() {
      const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
  };
}
