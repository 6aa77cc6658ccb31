import type { HTTPReceiver } from '@slack/bolt';
import type { RefusalAuditor } from '../http/refusals.js';

const STALE_AFTER_S = 5 * 60;

/**
 * Bolt answers a bad or stale signature on `/slack/events` with 401 and has no hook for it, so the
 * receiver's request listener is wrapped: each 401 it sends there is audited as a refused attempt.
 */
export function auditSignatureRefusals(receiver: HTTPReceiver, refusals: RefusalAuditor, endpoint = '/slack/events'): HTTPReceiver {
  const listen = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (req.method === 'POST' && (req.url ?? '').split('?')[0] === endpoint) {
      res.once('finish', () => {
        if (res.statusCode !== 401) return;
        const timestamp = Number(req.headers['x-slack-request-timestamp']);
        const reason = !req.headers['x-slack-signature'] ? 'unsigned' : Number.isFinite(timestamp) && Math.abs(Date.now() / 1000 - timestamp) > STALE_AFTER_S ? 'stale_timestamp' : 'bad_signature';
        refusals.record({ action: 'slack.signature_refused', subjectType: 'slack', subjectId: 'events', data: { reason } }, req.socket.remoteAddress ?? 'unknown');
      });
    }
    return listen(req, res);
  };
  return receiver;
}
