import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { isDomainError } from '../domain/errors.js';
import type { ServiceDeps } from '../services/deps.js';
import { exportReviewReport } from '../services/review-report.js';
import type { ReviewItemRow } from '../store/review-items-repo.js';
import { csvCell } from './audit-export-route.js';
import { bearerProblem, clientAddress, hasBearer } from './credentials.js';
import type { RefusalAuditor } from './refusals.js';
import { json } from './routes.js';

/** One row per item: what was held, how it was granted, who decided what, and the outcome. */
export const REPORT_COLUMNS = [
  'item_id', 'resource', 'provider', 'identity', 'holder', 'provenance', 'granted_at', 'granted_by', 'grant_reason',
  'reviewer', 'decision', 'decided_by', 'decided_at', 'unanswered', 'escalated', 'status', 'revoked_at',
] as const;

export function reportRow(item: ReviewItemRow): Record<(typeof REPORT_COLUMNS)[number], unknown> {
  return {
    item_id: item.id,
    resource: item.resource,
    provider: item.providerName,
    identity: item.identity,
    holder: item.holderId,
    provenance: item.provenance,
    granted_at: item.grantedAt,
    granted_by: item.grantedBy,
    grant_reason: item.grantReason,
    reviewer: item.reviewerId,
    decision: item.decision,
    decided_by: item.decidedBy,
    decided_at: item.decidedAt,
    unanswered: item.unanswered,
    escalated: item.escalated,
    status: item.status,
    revoked_at: item.revokedAt,
  };
}

/**
 * `GET /api/v1/reviews/:campaignId/report.csv|.json`, bearer REPORTS_TOKEN: a campaign's summary and every
 * item with its evidence and outcome, streamed a page at a time. The export itself is audited; refusals
 * get a 4xx with a message and are audited too (never with the offered token).
 */
export function reviewReportRoute(options: { token: string; deps: ServiceDeps; refusals: RefusalAuditor }): CustomRoute {
  const { token, deps, refusals } = options;
  return {
    path: REVIEW_REPORT_PATH,
    method: ['GET'],
    handler: (req, res) =>
      void handle(deps, req as IncomingMessage & { params?: Record<string, string | string[]> }, res, { token, refusals }).catch((error: Error) => {
        deps.logger.error({ err: error.message }, 'review report export failed');
        if (!res.headersSent) json(res, 500, { error: 'internal', message: 'The report could not be produced; try again.' });
        else res.destroy(error); // a cut-short export must not look complete
      }),
  };
}

export const REVIEW_REPORT_PATH = '/api/v1/reviews/:campaignId/:file';

async function handle(
  deps: ServiceDeps,
  req: IncomingMessage & { params?: Record<string, string | string[]> },
  res: ServerResponse,
  { token, refusals }: { token: string; refusals: RefusalAuditor },
): Promise<void> {
  const campaignId = String(req.params?.campaignId ?? '');
  const file = String(req.params?.file ?? '');
  if (!hasBearer(req, token)) {
    refusals.record({ action: 'review.report_refused', subjectType: 'review', subjectId: campaignId.slice(0, 100), data: { reason: bearerProblem(req) } }, clientAddress(req));
    res.setHeader('www-authenticate', 'Bearer realm="keycard"');
    return json(res, 401, { error: 'unauthorized', message: 'A valid bearer token (REPORTS_TOKEN) is required.' });
  }
  const format = file === 'report.csv' ? 'csv' : file === 'report.json' ? 'json' : null;
  if (!format) return json(res, 404, { error: 'not_found', message: `Unknown report "${file}": use report.csv or report.json.` });
  let report: Awaited<ReturnType<typeof exportReviewReport>>;
  try {
    report = await exportReviewReport(deps, { campaignId, actor: 'api:reports', format });
  } catch (error) {
    if (isDomainError(error, 'review_not_found')) return json(res, 404, { error: 'not_found', message: `No review campaign ${campaignId}.` });
    throw error;
  }
  if (format === 'csv') {
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="review-${report.summary.campaignId}.csv"` });
    await write(res, row(REPORT_COLUMNS));
    await streamItems(res, report.items, (item) => row(Object.values(reportRow(item))), '');
  } else {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    await write(res, `{"campaign":${JSON.stringify(report.summary)},"items":[`);
    await streamItems(res, report.items, (item) => JSON.stringify(reportRow(item)), ',');
    await write(res, ']}');
  }
  res.end();
}

/** A CSV line, quoted as the audit export quotes (formula-looking cells made inert). */
function row(values: readonly unknown[]): string {
  return `${values.map((v) => csvCell(v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v))).join(',')}\r\n`;
}

async function streamItems(res: ServerResponse, items: AsyncGenerator<ReviewItemRow>, render: (item: ReviewItemRow) => string, separator: string): Promise<void> {
  let chunk: string[] = [];
  let first = true;
  for await (const item of items) {
    chunk.push(render(item));
    if (chunk.length === 500) {
      await write(res, `${first ? '' : separator}${chunk.join(separator)}`);
      first = false;
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(res, `${first ? '' : separator}${chunk.join(separator)}`);
}

/** Waits when the client reads slower than we write, so a big export does not pile up in memory. */
async function write(res: ServerResponse, text: string): Promise<void> {
  if (!res.write(text)) await once(res, 'drain');
}
