import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import getRawBody from 'raw-body';
import type { RefusalAuditor } from '../http/refusals.js';
import type { SeenRequestsRepo } from '../store/seen-requests-repo.js';

const FUTURE_TOLERANCE_S = 60;
const STALE_AFTER_S = 5 * 60;
const REMEMBER_MS = 5 * 60_000;
const BODY_LIMIT = '10mb';

export interface ReplayGuardOptions {
  signingSecret: string;
  seen: SeenRequestsRepo;
  refusals: RefusalAuditor;
  /** Slack's timestamps are wall-clock time, so this is the real clock, not the domain's. */
  now?: () => number;
  endpoint?: string;
}

/**
 * Replay protection beyond Bolt's five-minute window, in front of the receiver: a timestamp more than a
 * minute in the future is refused; a correctly signed request whose signature was already seen in the
 * last five minutes (on any replica: the memory is PostgreSQL) is refused; a Slack redelivery
 * (X-Slack-Retry-Num) of an event already handled is acknowledged and dropped. Bolt still verifies the
 * signature itself; requests that fail that check pass through for Bolt to answer 401.
 */
export function guardReplays(receiver: HTTPReceiver, options: ReplayGuardOptions): HTTPReceiver {
  const now = options.now ?? Date.now;
  const endpoint = options.endpoint ?? '/slack/events';
  const next = receiver.requestListener;
  let sightings = 0;

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, reason: string) => {
    const action = reason === 'future_timestamp' ? 'slack.future_timestamp_refused' : reason === 'redelivery' ? 'slack.redelivery_dropped' : 'slack.replay_refused';
    options.refusals.record({ action, subjectType: 'slack', subjectId: 'events', data: { reason } }, req.socket.remoteAddress ?? 'unknown');
    res.writeHead(status, { 'content-type': 'text/plain' }).end(reason === 'redelivery' ? '' : 'refused');
  };

  receiver.requestListener = async (req, res) => {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== endpoint) return next(req, res);
    try {
      const raw = await getRawBody(req, { limit: BODY_LIMIT });
      (req as IncomingMessage & { rawBody: Buffer }).rawBody = raw; // Bolt reads the buffered body instead of the stream
      const timestamp = Number(req.headers['x-slack-request-timestamp']);
      const signature = String(req.headers['x-slack-signature'] ?? '');
      const nowS = now() / 1000;
      if (!signedBy(options.signingSecret, timestamp, raw, signature) || nowS - timestamp > STALE_AFTER_S) return next(req, res);
      if (timestamp - nowS > FUTURE_TOLERANCE_S) return refuse(req, res, 401, 'future_timestamp');
      const at = new Date(now());
      if (++sightings % 100 === 0) void options.seen.forgetBefore(new Date(now() - REMEMBER_MS)).catch(() => {});
      if (!(await options.seen.firstSighting(`sig:${signature}`, at))) return refuse(req, res, 401, 'replayed_signature');
      const eventId = eventIdOf(raw, req.headers['content-type']);
      if (eventId && !(await options.seen.firstSighting(`event:${eventId}`, at))) {
        // Slack redelivers an event it thinks we missed; it was handled, so acknowledge and do nothing.
        return req.headers['x-slack-retry-num'] ? refuse(req, res, 200, 'redelivery') : refuse(req, res, 401, 'replayed_event');
      }
      return next(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end('unreadable request');
    }
  };
  return receiver;
}

function signedBy(secret: string, timestamp: number, body: Buffer, signature: string): boolean {
  if (!Number.isFinite(timestamp) || !signature.startsWith('v0=')) return false;
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Events API callbacks carry an event_id that stays the same across Slack's retries. */
function eventIdOf(raw: Buffer, contentType: string | undefined): string | null {
  if (!contentType?.includes('application/json')) return null;
  try {
    const body = JSON.parse(raw.toString('utf8')) as { type?: string; event_id?: string };
    return body.type === 'event_callback' && typeof body.event_id === 'string' ? body.event_id : null;
  } catch {
    return null;
  }
}
