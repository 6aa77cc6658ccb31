import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

/** Either backend, typed as what they share: drizzle's PostgreSQL database. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  backend: 'postgres' | 'pglite';
  /** The database's own time: what is due is decided by it, so replicas agree (invariant 7). */
  now(): Promise<Date>;
  /** How many migrations in `drizzle/` are not applied yet (0 once the schema is current). */
  migrationsPending(): Promise<number>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Opens PostgreSQL when a URL is given, else an embedded PGlite under `dataDir`; applies migrations. */
export async function openDatabase(options: { url?: string; dataDir: string }): Promise<Database> {
  const database = options.url ? await openPostgres(options.url) : await openPglite(options.dataDir);
  return database;
}

async function openPostgres(url: string): Promise<Database> {
  await migrateOnce(url);
  const client = postgres(url, { max: 10, onnotice: () => {}, connection: { application_name: 'keycard' } });
  const db = drizzlePostgres(client, { schema });
  return {
    db: db as unknown as Db,
    backend: 'postgres',
    now: () => databaseNow(db as unknown as Db),
    migrationsPending: () => migrationsPending(db as unknown as Db),
    close: () => client.end({ timeout: 5 }),
  };
}

/** Held while migrating, so replicas starting together on one database migrate one at a time. */
const MIGRATION_LOCK = 0x6b6579636d67; // "keycmg"

/**
 * drizzle's migrator takes no lock: replicas that start at the same moment on an empty database would
 * all create its bookkeeping table and run the same migrations, and all but one would crash. One
 * connection of its own holds a session advisory lock around the migration; the others wait, then find
 * everything applied.
 */
async function migrateOnce(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: 'keycard-migrate' } });
  try {
    await client`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.end({ timeout: 5 }); // ending the session releases the lock
  }
}

async function openPglite(dataDir: string): Promise<Database> {
  const dir = dataDir === 'memory://' ? undefined : `${dataDir}/pglite`;
  if (dir) mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    db: db as unknown as Db,
    backend: 'pglite',
    now: () => databaseNow(db as unknown as Db),
    migrationsPending: () => migrationsPending(db as unknown as Db),
    close: () => client.close(),
  };
}

async function databaseNow(db: Db): Promise<Date> {
  return new Date((await firstRow<{ now: string | Date }>(db, sql`SELECT now() AS now`)).now);
}

async function migrationsPending(db: Db): Promise<number> {
  const { applied } = await firstRow<{ applied: number }>(db, sql`SELECT count(*)::int AS applied FROM drizzle.__drizzle_migrations`);
  return Math.max(0, readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length - Number(applied));
}

/** postgres.js answers `execute` with rows, PGlite with `{ rows }`: the first row either way. */
async function firstRow<T>(db: Db, query: ReturnType<typeof sql>): Promise<T> {
  const result = (await db.execute(query)) as unknown as { rows?: T[] } & T[];
  return (result.rows ?? result)[0]!;
}
