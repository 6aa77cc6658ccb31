import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Clock } from '../domain/clock.js';
import type { Grant } from '../domain/types.js';
import { DeliveryError, type NotificationSink } from '../services/deliver-notifications.js';
import { describeRequest, type RequestDetails } from '../services/describe-request.js';
import type { ServiceDeps } from '../services/deps.js';
import { listMyAccess } from '../services/list-my-access.js';
import type { Notification } from '../services/notifications.js';
import { LifecycleNotifier } from './lifecycle-notifier.js';
import { ReviewNotifier } from './review-notifier.js';
import { resolvePeople } from '../services/resolve-people.js';
import type { Block } from './views/blocks.js';
import { decisionNotice, expiredNotice, expiringNotice, extendedNotice, grantActiveNotice, grantEndedNotice, grantFailedNotice, reminderNotice, revocationStuckAlert, type Notice } from './views/notices.js';
import { homeView } from './views/home.js';
import { requestMessage, type Audience } from './views/request-message.js';

/** Slack errors that retrying will not fix. */
const PERMANENT_SLACK_ERRORS = new Set(['channel_not_found', 'user_not_found', 'is_archived', 'not_in_channel', 'invalid_blocks', 'msg_too_long', 'account_inactive', 'user_disabled']);

interface Copy {
  /** Key of this copy in slack_messages: `requester`, `approver:U…`, `channel:C…`, `reviewer:U…`, `announce:C…`. */
  key: string;
  channel: string;
  audience: Audience;
  /** Only copies for people who still have something to do are posted late. */
  postWhenDecided: boolean;
}

/**
 * Turns notifications into Slack messages. Each copy of a request message is posted once and its
 * `ts` stored; later changes edit it (`chat.update`), so a retried delivery never posts twice.
 */
export class SlackNotifier implements NotificationSink {
  constructor(
    private readonly client: WebClient,
    private readonly deps: Pick<ServiceDeps, 'store' | 'policy' | 'directory' | 'logger'>,
    private readonly clock: Clock,
  ) {}

  async deliver(notification: Notification): Promise<void> {
    try {
      const requestId = await this.requestOf(notification);
      await (requestId ? this.exclusively(requestId, () => this.route(notification)) : this.route(notification));
    } catch (error) {
      throw toDeliveryError(error);
    }
  }

  /**
   * Replicas deliver different notifications about one request at the same time (its submission on one,
   * its decision on another). Unchecked, both would find a copy missing and post it twice, or write an
   * older render over a newer one; so they take turns on the request, and each renders what is current.
   */
  private async exclusively(requestId: string, work: () => Promise<void>): Promise<void> {
    const { store } = this.deps;
    if (store.database.backend !== 'postgres') return work(); // the embedded database serves one process
    await store.transaction(async (tx) => {
      await tx.messages.lock(requestId);
      await work();
    });
  }

  /** The request whose Slack messages a notification changes, if any. */
  private async requestOf(n: Notification): Promise<string | null> {
    if ('requestId' in n) return n.requestId;
    if ('grantId' in n) return (await this.deps.store.grants.findById(n.grantId))?.requestId ?? null;
    return null;
  }

  private async route(n: Notification): Promise<void> {
    switch (n.kind) {
      case 'request.submitted':
      case 'request.progress':
      case 'request.cancelled':
      case 'request.escalated':
      case 'break_glass.invoked':
      case 'break_glass.confirmed':
        return this.syncCopies(n.requestId);
      case 'request.decided':
        await this.syncCopies(n.requestId);
        return this.noticeOnce(n.requestId, 'notice:decided', (d) => decisionNotice(d.request));
      case 'request.expired':
        await this.syncCopies(n.requestId);
        return this.noticeOnce(n.requestId, 'notice:expired', (d) => expiredNotice(d.request));
      case 'request.reminder':
        return this.remind(n.requestId);
      case 'grant.activated':
        return this.grantEvent(n.grantId, 'notice:active', grantActiveNotice);
      case 'grant.failed':
        return this.grantEvent(n.grantId, 'notice:failed', grantFailedNotice);
      case 'review.message':
      case 'review.reminder':
      case 'review.escalated':
      case 'review.report':
      case 'review.access_removed':
      case 'drift.detected':
        return new ReviewNotifier(this.client, this.deps, this.clock).deliver(n);
      case 'security.notice':
      case 'request.understaffed':
        return new LifecycleNotifier(this.client, this.deps).deliver(n);
      case 'grant.revoked':
        return this.grantEvent(n.grantId, 'notice:ended', grantEndedNotice);
      case 'grant.revocation_stuck':
        return this.alertSecurity(n.grantId);
      case 'grant.expiring':
        return this.grantEvent(n.grantId, `notice:expiring:${n.grantId}`, expiringNotice);
      case 'grant.extended':
        await this.syncCopies(n.requestId);
        return this.grantEvent(n.grantId, `notice:extended:${n.requestId}`, extendedNotice);
    }
  }

  /** Where copies of this request go: the requester, approvers (DM and/or channel), reviewers, announcements. */
  private async copies(details: RequestDetails): Promise<Copy[]> {
    const { request, routing } = details;
    const copies: Copy[] = [{ key: 'requester', channel: request.requesterId, audience: 'requester', postWhenDecided: true }];
    if (request.kind !== 'break_glass' && !request.autoApprovedBy) {
      if (routing.dmApprovers) {
        copies.push(...request.approverIds.map((id) => ({ key: `approver:${id}`, channel: id, audience: 'approver' as const, postWhenDecided: false })));
      }
      if (routing.approvalChannel) copies.push({ key: `channel:${routing.approvalChannel}`, channel: routing.approvalChannel, audience: 'approver', postWhenDecided: false });
    }
    if (routing.announce) copies.push({ key: `announce:${routing.announce}`, channel: routing.announce, audience: 'announce', postWhenDecided: true });
    if (routing.reviewers.length > 0) {
      const reviewers = [...(await resolvePeople(this.deps.policy, this.deps.directory, routing.reviewers))].filter((id) => id !== request.requesterId);
      copies.push(...reviewers.map((id) => ({ key: `reviewer:${id}`, channel: id, audience: 'reviewer' as const, postWhenDecided: true })));
    }
    return copies;
  }

  /** Security hears first; with no security channel configured, every Keycard admin gets a DM. */
  private async alertSecurity(grantId: string): Promise<void> {
    const grant = await this.deps.store.grants.findById(grantId);
    if (!grant) return;
    const channels = this.deps.policy.securityChannel ? [this.deps.policy.securityChannel] : [...(await resolvePeople(this.deps.policy, this.deps.directory, this.deps.policy.admins))];
    const alert = revocationStuckAlert(grant);
    for (const channel of channels) {
      const key = `alert:revocation:${channel}`;
      if (!(await this.deps.store.messages.find(grant.requestId, key))) await this.post(grant.requestId, key, channel, alert);
    }
  }

  /** Posts every copy that is missing and edits every copy that exists, from the current state. */
  private async syncCopies(requestId: string): Promise<void> {
    const details = await this.details(requestId);
    for (const copy of await this.copies(details)) {
      const message = requestMessage({ ...details, now: this.clock.now() }, copy.audience);
      const posted = await this.deps.store.messages.find(requestId, copy.key);
      if (posted) {
        await this.client.chat.update({ channel: posted.channel, ts: posted.ts, text: message.text, blocks: message.blocks });
      } else if (details.request.status === 'pending' || copy.postWhenDecided) {
        await this.post(requestId, copy.key, copy.channel, message);
      }
    }
    await this.refreshHome(details.request.requesterId);
  }

  /**
   * Keeps the requester's Home tab ("My access") current without waiting for them to reopen it. Best
   * effort: the tab is rendered again whenever it is opened, so a failure here (the Home tab turned off
   * in an older app config, a rate limit) must not hold back the messages that carry the decision.
   */
  private async refreshHome(userId: string): Promise<void> {
    try {
      await this.client.views.publish({ user_id: userId, view: homeView(await listMyAccess(this.deps, userId)) as never });
    } catch (error) {
      this.deps.logger.debug({ userId, err: (error as Error).message }, 'home tab not refreshed; it renders again when opened');
    }
  }

  /** A reminder threaded under each approver copy, so the nudge lands where the decision is made. */
  private async remind(requestId: string): Promise<void> {
    const details = await this.details(requestId);
    if (details.request.status !== 'pending') return;
    for (const copy of await this.copies(details)) {
      if (copy.audience !== 'approver') continue;
      const notice = reminderNotice(details.request, { mentionApprovers: copy.key.startsWith('channel:') });
      const parent = await this.deps.store.messages.find(requestId, copy.key);
      if (!parent || (await this.deps.store.messages.find(requestId, `reminder:${copy.key}`))) continue;
      await this.post(requestId, `reminder:${copy.key}`, parent.channel, notice, parent.ts);
    }
  }

  /** A separate DM that notifies the requester, sent once. */
  private async noticeOnce(requestId: string, key: string, build: (details: RequestDetails) => Notice): Promise<void> {
    if (await this.deps.store.messages.find(requestId, key)) return;
    const details = await this.details(requestId);
    await this.post(requestId, key, details.request.requesterId, build(details));
  }

  private async grantEvent(grantId: string, key: string, build: (grant: Grant) => Notice): Promise<void> {
    const grant = await this.deps.store.grants.findById(grantId);
    if (!grant) return;
    await this.syncCopies(grant.requestId);
    await this.noticeOnce(grant.requestId, key, () => build(grant));
  }

  private async post(requestId: string, key: string, channel: string, message: { text: string; blocks: Block[] }, threadTs?: string): Promise<void> {
    const result = await this.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, ...(threadTs ? { thread_ts: threadTs } : {}) });
    await this.deps.store.messages.save({ requestId, audience: key, channel: result.channel!, ts: result.ts! });
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
