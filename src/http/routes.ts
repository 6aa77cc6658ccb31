import type { CustomRoute } from '@slack/bolt';
import type { ServerResponse } from 'node:http';
import type { Database } from '../store/db.js';

/** Non-Slack HTTP routes, served beside `POST /slack/events` by the same server. */
export function httpRoutes(options: { database: Database }): CustomRoute[] {
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => text(res, 200, 'ok') },
  ];
}

export function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}

export function json(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': `${contentType}; charset=utf-8` }).end(JSON.stringify(body));
}
