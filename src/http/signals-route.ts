import type { CustomRoute } from '@slack/bolt';
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isDomainError } from '../domain/errors.js';
import { applySignal, SEVERITIES, type SignalOutcome } from '../services/apply-signal.js';
import type { ServiceDeps } from '../services/deps.js';
import { BodyTooLarge, readBody } from './body.js';
import { bearerProblem, clientAddress, hasBearer, sameSecret } from './credentials.js';
import type { RefusalAuditor } from './refusals.js';
import { json } from './routes.js';

export const SIGNALS_PATH = '/api/v1/signals';
/** How far a request's timestamp may be from Keycard's clock; older ones are replays. */
export const SIGNAL_TOLERANCE_MS = 5 * 60_000;

/** `v1=` + hex HMAC-SHA256 of `v1:<timestamp>:<raw body>` keyed with SIGNALS_TOKEN (what senders compute). */
export function signSignal(token: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', token).update(`v1:${timestamp}:${body}`).digest('hex')}`;
}

const signalBody = z.object({
  id: z.string().min(1).max(200).describe('The alert id; sending it again is refused as a replay'),
  principal: z.union([
    z.object({ email: z.email(), slack_user_id: z.undefined().optional() }),
    z.object({ slack_user_id: z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user id (U…)'), email: z.undefined().optional() }),
  ]),
  severity: z.enum(SEVERITIES),
  type: z.string().min(1).max(200),
  summary: z.string().max(2_000).default(''),
});

/**
 * `POST /api/v1/signals`: a SIEM tells Keycard about a person. Bearer SIGNALS_TOKEN, plus a signature over
 * the timestamp and body so a captured request cannot be altered or replayed: stale timestamps are
 * refused, and an alert id already seen is refused as a replay. Answers what it did.
 */
export function signalsRoute(options: { token: string; deps: ServiceDeps; refusals: RefusalAuditor }): CustomRoute {
  const { token, deps, refusals } = options;
  const refuse = (req: IncomingMessage, res: ServerResponse, reason: string, message: string) => {
    refusals.record({ action: 'signals.auth_refused', subjectType: 'system', subjectId: 'signals', data: { reason } }, clientAddress(req));
    json(res, 401, { error: 'unauthorized', message });
  };
  return {
    path: SIGNALS_PATH,
    method: ['POST'],
    handler: (req, res) =>
      void (async () => {
        if (!hasBearer(req, token)) return refuse(req, res, bearerProblem(req), 'A valid bearer token is required.');
        const raw = await readBody(req, 64_000);
        const timestamp = Number(req.headers['x-keycard-timestamp']);
        const signature = String(req.headers['x-keycard-signature'] ?? '');
        if (!Number.isInteger(timestamp) || !signature) return refuse(req, res, 'unsigned', 'X-Keycard-Timestamp and X-Keycard-Signature are required.');
        if (Math.abs(deps.clock.now().getTime() - timestamp * 1000) > SIGNAL_TOLERANCE_MS) return refuse(req, res, 'stale_timestamp', 'The timestamp is more than 5 minutes away from now.');
        if (!sameSecret(signature, signSignal(token, timestamp, raw))) return refuse(req, res, 'bad_signature', 'The signature does not match the body.');

        let parsed: z.infer<typeof signalBody>;
        try {
          parsed = signalBody.parse(JSON.parse(raw));
        } catch (error) {
          const message = error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') : 'the body is not valid JSON';
          return json(res, 400, { error: 'invalid_signal', message });
        }
        try {
          const outcome = await applySignal(deps, {
            signalId: parsed.id,
            principal: parsed.principal.email ? { email: parsed.principal.email } : { slackUserId: parsed.principal.slack_user_id! },
            severity: parsed.severity,
            type: parsed.type,
            summary: parsed.summary,
            actor: 'api:signals',
          });
          json(res, 200, answer(outcome));
        } catch (error) {
          if (isDomainError(error, 'signal_replayed')) return json(res, 409, { error: 'replayed', message: `Signal ${parsed.id} was already received; nothing changed.` });
          if (isDomainError(error, 'unknown_principal')) return json(res, 404, { error: 'unknown_principal', message: 'No Slack user or directory person matches that principal; nothing changed.' });
          throw error;
        }
      })().catch((error: Error) => {
        if (res.headersSent) return;
        if (error instanceof BodyTooLarge) return json(res, 413, { error: 'too_large', message: error.message });
        deps.logger.error({ err: error.message }, 'signal handling failed');
        json(res, 500, { error: 'internal', message: 'Keycard could not apply the signal; it is safe to send it again.' });
      }),
  };
}

function answer(outcome: SignalOutcome): Record<string, unknown> {
  return {
    signal: outcome.signalId,
    principal: { slack_user_ids: outcome.slackUserIds },
    rule: outcome.rule,
    actions: {
      grants_revoked: outcome.grantsEnded.map((g) => ({ grant: g.grantId, resource: g.resource, provider: g.provider, identity: g.identity })),
      requests_frozen_until: outcome.frozenUntil?.toISOString() ?? null,
      security_notified: outcome.securityNotified,
    },
    message: outcome.rule === null ? 'No signal rule matched: recorded only.' : `Applied rule ${outcome.rule}.`,
  };
}
