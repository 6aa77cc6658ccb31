import type { CustomRoute } from '@slack/bolt';
import type { ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import type { ServiceDeps } from '../services/deps.js';
import type { Database } from '../store/db.js';
import { apiRoutes } from './api-routes.js';

/** Non-Slack HTTP routes, served beside `POST /slack/events` by the same server. */
export function httpRoutes(options: { database: Database; api?: { config: Config; deps: ServiceDeps } }): CustomRoute[] {
  return [
    ...(options.api ? apiRoutes(options.api.config, options.api.deps) : []),
    { path: '/healthz', method: ['GET'], handler: (_req, res) => text(res, 200, 'ok') },
  ];
}

export function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}

export function json(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': `${contentType}; charset=utf-8` }).end(JSON.stringify(body));
}
