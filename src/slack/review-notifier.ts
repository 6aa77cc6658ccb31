import type { WebClient } from '@slack/web-api';
import type { Clock } from '../domain/clock.js';
import type { ServiceDeps } from '../services/deps.js';
import { describeReviewerView } from '../services/describe-review.js';
import { campaignSubject, reviewerAudience } from '../services/review-campaign.js';
import type { ReviewNotification } from '../services/review-notifications.js';
import { reviewSummary } from '../services/review-report.js';
import { reviewMessage } from './views/review-message.js';
import { accessRemovedNotice, driftNotice, escalationNotice, reminderNotice, reportNotice, type ReviewNotice } from './views/review-notices.js';

/**
 * Delivers review and drift notifications. The reviewer's message is posted once and its `ts` stored;
 * every later change edits it. Other notices are posted once each (their `ts` is stored under a key),
 * so a retried delivery never posts twice (invariant 8).
 */
export class ReviewNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly deps: Pick<ServiceDeps, 'store' | 'policy'>,
    private readonly clock: Clock,
  ) {}

  async deliver(n: ReviewNotification): Promise<void> {
    switch (n.kind) {
      case 'review.message':
        return this.syncReviewerMessage(n.campaignId, n.reviewerId);
      case 'review.reminder':
        return this.reminder(n.campaignId, n.reviewerId, n.round);
      case 'review.escalated':
        return this.escalated(n.campaignId, n.ownerId);
      case 'review.report':
        return this.report(n.campaignId);
      case 'review.access_removed':
        return this.accessRemoved(n.itemId);
      case 'drift.detected':
        return this.drift(n.runId, n.resource, n.ownerId);
    }
  }

  private async syncReviewerMessage(campaignId: string, reviewerId: string): Promise<void> {
    const view = await describeReviewerView(this.deps, campaignId, reviewerId);
    if (!view) return;
    const message = reviewMessage(view, this.clock.now());
    if (view.posted) {
      await this.client.chat.update({ channel: view.posted.channel, ts: view.posted.ts, text: message.text, blocks: message.blocks as never });
      return;
    }
    if (view.counts.total === 0) return; // never had items (or they were all handed on before the first post)
    const result = await this.client.chat.postMessage({ channel: reviewerId, text: message.text, blocks: message.blocks as never, unfurl_links: false });
    await this.deps.store.reviews.messages.save({ subject: campaignSubject(campaignId), audience: reviewerAudience(reviewerId), channel: result.channel!, ts: result.ts!, page: view.page });
  }

  private async reminder(campaignId: string, reviewerId: string, round: number): Promise<void> {
    const campaign = await this.deps.store.reviews.campaigns.findById(campaignId);
    if (!campaign || campaign.status !== 'open') return;
    const mine = await this.deps.store.reviews.items.counts(campaignId, reviewerId);
    if (mine.pending === 0) return; // decided meanwhile
    await this.once(campaignSubject(campaignId), `reminder:${round}:${reviewerId}`, reviewerId, () => reminderNotice(campaign, mine));
  }

  private async escalated(campaignId: string, ownerId: string): Promise<void> {
    const campaign = await this.deps.store.reviews.campaigns.findById(campaignId);
    if (!campaign) return;
    await this.once(campaignSubject(campaignId), `escalated:${ownerId}`, ownerId, () => escalationNotice(campaign));
  }

  private async report(campaignId: string): Promise<void> {
    const summary = await reviewSummary(this.deps, campaignId);
    if (!summary) return;
    const campaign = await this.deps.store.reviews.campaigns.findById(campaignId);
    if (campaign?.reportChannel) await this.once(campaignSubject(campaignId), 'report:channel', campaign.reportChannel, () => reportNotice(summary));
    if (campaign?.trigger === 'manual') await this.once(campaignSubject(campaignId), 'report:starter', campaign.startedBy, () => reportNotice(summary));
  }

  private async accessRemoved(itemId: string): Promise<void> {
    const item = await this.deps.store.reviews.items.findById(Number(itemId));
    if (!item?.holderId) return;
    const campaign = await this.deps.store.reviews.campaigns.findById(item.campaignId);
    await this.once(campaignSubject(item.campaignId), `removed:${item.id}`, item.holderId, () => accessRemovedNotice(item, campaign?.reviewName ?? 'review'));
  }

  private async drift(runId: string, resource: string, ownerId: string): Promise<void> {
    const [findings, total] = await Promise.all([this.deps.store.drift.findingsOf(runId, resource, 20), this.deps.store.drift.countOf(runId, resource)]);
    if (total === 0) return;
    await this.once(`drift:${runId}:${resource}`, `owner:${ownerId}`, ownerId, () => driftNotice(resource, findings, total));
  }

  /** Posts a notice unless it was posted before (the stored `ts` says so). */
  private async once(subject: string, audience: string, channel: string, build: () => ReviewNotice): Promise<void> {
    if ((await this.deps.store.reviews.messages.find(subject, audience))?.ts) return;
    const notice = build();
    const result = await this.client.chat.postMessage({ channel, text: notice.text, blocks: notice.blocks as never, unfurl_links: false });
    await this.deps.store.reviews.messages.save({ subject, audience, channel: result.channel!, ts: result.ts!, page: 0 });
  }
}
