import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Clock } from '../domain/clock.js';
import type { Grant } from '../domain/types.js';
import { DeliveryError, type NotificationSink } from '../services/deliver-notifications.js';
import { describeRequest, type RequestDetails } from '../services/describe-request.js';
import type { ServiceDeps } from '../services/deps.js';
import type { Notification } from '../services/notifications.js';
import { decisionNotice, expiredNotice, grantActiveNotice, grantEndedNotice, grantFailedNotice, type Notice } from './views/notices.js';
import { requestMessage, type Audience } from './views/request-message.js';

/** Slack errors that retrying will not fix. */
const PERMANENT_SLACK_ERRORS = new Set(['channel_not_found', 'user_not_found', 'is_archived', 'not_in_channel', 'invalid_blocks', 'msg_too_long', 'account_inactive', 'user_disabled']);

/**
 * Turns notifications into Slack messages. Each copy of a request message is posted once and its
 * `ts` stored; later changes edit it (`chat.update`), so a retried delivery never posts twice.
 */
export class SlackNotifier implements NotificationSink {
  constructor(
    private readonly client: WebClient,
    private readonly deps: Pick<ServiceDeps, 'store' | 'policy'>,
    private readonly clock: Clock,
  ) {}

  async deliver(notification: Notification): Promise<void> {
    try {
      await this.route(notification);
    } catch (error) {
      throw toDeliveryError(error);
    }
  }

  private async route(n: Notification): Promise<void> {
    switch (n.kind) {
      case 'request.submitted':
      case 'request.progress':
        return this.syncCopies(n.requestId);
      case 'request.decided':
        await this.syncCopies(n.requestId);
        return this.noticeOnce(n.requestId, 'notice:decided', (d) => decisionNotice(d.request));
      case 'request.expired':
        await this.syncCopies(n.requestId);
        return this.noticeOnce(n.requestId, 'notice:expired', (d) => expiredNotice(d.request));
      case 'grant.activated':
        return this.grantEvent(n.grantId, 'notice:active', grantActiveNotice);
      case 'grant.failed':
        return this.grantEvent(n.grantId, 'notice:failed', grantFailedNotice);
      case 'grant.revoked':
        return this.grantEvent(n.grantId, 'notice:ended', grantEndedNotice);
    }
  }

  /** Posts every copy that is missing and edits every copy that exists, from the current state. */
  private async syncCopies(requestId: string): Promise<void> {
    const details = await this.details(requestId);
    const copies: Array<{ audience: string; channel: string; as: Audience }> = [
      { audience: 'requester', channel: details.request.requesterId, as: 'requester' },
      ...details.request.approverIds.map((id) => ({ audience: `approver:${id}`, channel: id, as: 'approver' as const })),
    ];
    for (const copy of copies) {
      const message = requestMessage({ ...details, now: this.clock.now() }, copy.as);
      const posted = await this.deps.store.messages.find(requestId, copy.audience);
      if (posted) {
        await this.client.chat.update({ channel: posted.channel, ts: posted.ts, text: message.text, blocks: message.blocks });
      } else if (details.request.status === 'pending' || copy.as === 'requester') {
        // Approvers who never saw a request are not messaged once it is decided.
        const result = await this.client.chat.postMessage({ channel: copy.channel, text: message.text, blocks: message.blocks, unfurl_links: false });
        await this.deps.store.messages.save({ requestId, audience: copy.audience, channel: result.channel!, ts: result.ts! });
      }
    }
  }

  /** A separate DM that notifies the requester, sent once, threaded under their copy of the request. */
  private async noticeOnce(requestId: string, audience: string, build: (details: RequestDetails) => Notice): Promise<void> {
    if (await this.deps.store.messages.find(requestId, audience)) return;
    const details = await this.details(requestId);
    const notice = build(details);
    const result = await this.client.chat.postMessage({ channel: details.request.requesterId, text: notice.text, blocks: notice.blocks, unfurl_links: false });
    await this.deps.store.messages.save({ requestId, audience, channel: result.channel!, ts: result.ts! });
  }

  private async grantEvent(grantId: string, audience: string, build: (grant: Grant) => Notice): Promise<void> {
    const grant = await this.deps.store.grants.findById(grantId);
    if (!grant) return;
    await this.syncCopies(grant.requestId);
    await this.noticeOnce(grant.requestId, audience, () => build(grant));
  }

  private async details(requestId: string): Promise<RequestDetails> {
    const details = await describeRequest(this.deps, requestId);
    if (!details) throw new DeliveryError(`request ${requestId} not found`, { permanent: true });
    return details;
  }
}

function toDeliveryError(error: unknown): Error {
  if (error instanceof DeliveryError) return error;
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string }; message?: string };
  if (e.code === ErrorCode.RateLimitedError) {
    return new DeliveryError('Slack rate limit', { retryAfterMs: (e.retryAfter ?? 1) * 1_000 });
  }
  if (e.code === ErrorCode.PlatformError && e.data?.error && PERMANENT_SLACK_ERRORS.has(e.data.error)) {
    return new DeliveryError(`Slack refused: ${e.data.error}`, { permanent: true });
  }
  return error instanceof Error ? error : new Error(String(error));
}
