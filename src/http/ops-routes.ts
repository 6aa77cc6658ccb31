import type { CustomRoute } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Registry } from 'prom-client';
import type { Database } from '../store/db.js';
import { MIGRATIONS_FOLDER } from '../store/db.js';
import { text } from './routes.js';

/** `/metrics` for Prometheus and `/readyz`: the database answers and every migration is applied. */
export function opsRoutes(options: { database: Database; registry: Registry }): CustomRoute[] {
  const expected = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;
  return [
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) =>
        void options.registry.metrics().then(
          (body) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(body),
          () => text(res, 503, 'metrics unavailable: database unreachable'),
        ),
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) =>
        void appliedMigrations(options.database).then(
          (applied) => (applied >= expected ? text(res, 200, 'ready') : text(res, 503, `migrations pending: ${applied} of ${expected} applied`)),
          () => text(res, 503, 'database unreachable'),
        ),
    },
  ];
}

async function appliedMigrations(database: Database): Promise<number> {
  const result = await database.db.execute(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
  const rows = (result as unknown as { rows?: Array<{ n: number }> }).rows ?? (result as unknown as Array<{ n: number }>);
  return Number(rows[0]?.n ?? 0);
}
