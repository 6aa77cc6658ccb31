import type { WebClient } from '@slack/web-api';
import type { ServiceDeps } from '../services/deps.js';
import type { Notification } from '../services/notifications.js';
import { securityNoticeMessage, understaffedNotice } from './views/security-notices.js';

type LifecycleNotification = Extract<Notification, { kind: 'security.notice' | 'request.understaffed' }>;

/** Delivers offboarding and signal notices to the security channel, and understaffed-request DMs. */
export class LifecycleNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly deps: Pick<ServiceDeps, 'store'>,
  ) {}

  async deliver(n: LifecycleNotification): Promise<void> {
    if (n.kind === 'security.notice') {
      const message = securityNoticeMessage(n.notice);
      await this.client.chat.postMessage({ channel: n.channel, text: message.text, blocks: message.blocks, unfurl_links: false });
      return;
    }
    const request = await this.deps.store.requests.findById(n.requestId);
    if (!request || request.status !== 'pending') return; // decided meanwhile: nothing to ask of anyone
    for (const recipient of n.recipients) {
      const audience = `notice:understaffed:${recipient}`;
      if (await this.deps.store.messages.find(request.id, audience)) continue; // sent before a retried delivery
      const message = understaffedNotice(request, request.requiredApprovals);
      const result = await this.client.chat.postMessage({ channel: recipient, text: message.text, blocks: message.blocks, unfurl_links: false });
      await this.deps.store.messages.save({ requestId: request.id, audience, channel: result.channel!, ts: result.ts! });
    }
  }
}
