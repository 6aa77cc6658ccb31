import type { CustomRoute } from '@slack/bolt';
import type { Registry } from 'prom-client';
import type { Database } from '../store/db.js';
import { text } from './routes.js';

/** `/metrics` for Prometheus and `/readyz`: the database answers and every migration is applied. */
export function opsRoutes(options: { database: Database; registry: Registry }): CustomRoute[] {
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
        void options.database.migrationsPending().then(
          (pending) => (pending === 0 ? text(res, 200, 'ready') : text(res, 503, `${pending} migrations not applied yet`)),
          () => text(res, 503, 'database unreachable'),
        ),
    },
  ];
}
