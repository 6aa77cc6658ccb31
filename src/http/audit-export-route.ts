import type { CustomRoute } from '@slack/bolt';
import type { ServerResponse } from 'node:http';
import type { ChainedAuditEvent } from '../domain/audit-chain.js';
import type { ServiceDeps } from '../services/deps.js';
import { auditJson, exportAudit } from '../services/export-audit.js';
import type { AuditFilter } from '../store/audit-repo.js';
import { bearerProblem, clientAddress, hasBearer } from './credentials.js';
import type { RefusalAuditor } from './refusals.js';
import { json } from './routes.js';

export const AUDIT_PATH = '/api/v1/audit';
const CSV_COLUMNS = ['id', 'at', 'actor', 'action', 'subject_type', 'subject_id', 'data', 'prev_hash', 'hash'] as const;

/**
 * `GET /api/v1/audit?from=&to=&actor=&action=&subject=&format=jsonl|csv`, bearer AUDIT_TOKEN. Streams every
 * matching event oldest first, with each event's hashes, so an export of the whole log can be verified.
 */
export function auditExportRoute(options: { token: string; deps: ServiceDeps; refusals: RefusalAuditor }): CustomRoute {
  const { token, deps, refusals } = options;
  return {
    path: AUDIT_PATH,
    method: ['GET'],
    handler: (req, res) =>
      void (async () => {
        if (!hasBearer(req, token)) {
          refusals.record({ action: 'audit.auth_refused', subjectType: 'system', subjectId: 'audit', data: { reason: bearerProblem(req) } }, clientAddress(req));
          return json(res, 401, { error: 'unauthorized', message: 'A valid bearer token is required.' });
        }
        const query = new URL(req.url ?? '/', 'http://keycard').searchParams;
        const filter = parseFilter(query);
        if (typeof filter === 'string') return json(res, 400, { error: 'invalid_query', message: filter });
        const format = query.get('format') ?? (String(req.headers.accept ?? '').includes('text/csv') ? 'csv' : 'jsonl');
        if (format !== 'csv' && format !== 'jsonl') return json(res, 400, { error: 'invalid_query', message: 'format must be jsonl or csv' });
        await stream(res, format, exportAudit(deps, filter));
      })().catch((error: Error) => {
        deps.logger.error({ err: error.message }, 'audit export failed');
        if (!res.headersSent) json(res, 500, { error: 'internal', message: 'The export failed; try again.' });
        else res.destroy(error); // a cut-short export must not look complete
      }),
  };
}

function parseFilter(query: URLSearchParams): AuditFilter | string {
  const filter: AuditFilter = {};
  for (const key of ['from', 'to'] as const) {
    const value = query.get(key);
    if (value === null || value === '') continue;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return `${key} must be an ISO 8601 date or time, e.g. 2026-12-01 or 2026-12-01T09:00:00Z`;
    filter[key] = date;
  }
  for (const key of ['actor', 'action', 'subject'] as const) {
    const value = query.get(key);
    if (value) filter[key] = value;
  }
  return filter;
}

async function stream(res: ServerResponse, format: 'csv' | 'jsonl', events: AsyncIterable<ChainedAuditEvent>): Promise<void> {
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="keycard-audit.${format === 'csv' ? 'csv' : 'jsonl'}"`,
  });
  if (format === 'csv') res.write(`${CSV_COLUMNS.join(',')}\r\n`);
  for await (const event of events) {
    const ok = res.write(format === 'csv' ? csvLine(event) : `${JSON.stringify(auditJson(event))}\n`);
    if (!ok) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

export function csvLine(e: ChainedAuditEvent): string {
  const values = [String(e.id), e.at.toISOString(), e.actor, e.action, e.subjectType, e.subjectId, JSON.stringify(e.data), e.prevHash, e.hash];
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula gets a leading apostrophe. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
