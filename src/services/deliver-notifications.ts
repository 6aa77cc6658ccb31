import { claimLeaseMs, type ServiceDeps } from './deps.js';
import type { Notification } from './notifications.js';

/** Where notifications go (Slack). Throws DeliveryError to say when, or whether, to try again. */
export interface NotificationSink {
  deliver(notification: Notification): Promise<void>;
}

export class DeliveryError extends Error {
  constructor(message: string, readonly options: { retryAfterMs?: number; permanent?: boolean } = {}) {
    super(message);
    this.name = 'DeliveryError';
  }
}

const MAX_ATTEMPTS = 12;

/**
 * Delivers committed notifications in order, a bounded batch at a time (invariant 8). A rate limit
 * stops the batch and waits for Slack's Retry-After; other failures back off and are retried.
 */
export async function deliverNotifications(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'logger' | 'workerId' | 'leaseMs' | 'metrics'>,
  sink: NotificationSink,
  options: { limit?: number } = {},
): Promise<number> {
  const { store, clock, logger, workerId } = deps;
  const batch = await store.outbox.claim({ now: clock.now(), owner: workerId, leaseMs: claimLeaseMs(deps), limit: options.limit ?? 25 });
  let delivered = 0;
  for (const [index, message] of batch.entries()) {
    try {
      await sink.deliver({ kind: message.kind, ...message.payload } as Notification);
      await store.outbox.markDelivered(message.id, workerId, clock.now());
      delivered += 1;
    } catch (error) {
      const now = clock.now();
      const options = error instanceof DeliveryError ? error.options : {};
      const text = (error as Error).message;
      if (options.retryAfterMs !== undefined) {
        // Throttled: this message and the rest of the batch wait until Slack says to come back.
        const until = new Date(now.getTime() + options.retryAfterMs);
        for (const waiting of batch.slice(index)) await store.outbox.reschedule(waiting.id, workerId, until, text, { countAttempt: false });
        deps.metrics?.notificationDeferred('ratelimited');
        logger.warn({ retryAfterMs: options.retryAfterMs, waiting: batch.length - index }, 'Slack rate limit; delivery paused');
        break;
      }
      if (options.permanent || message.attempts + 1 >= MAX_ATTEMPTS) {
        logger.error({ outboxId: message.id, kind: message.kind, err: text }, 'notification abandoned');
        await store.outbox.abandon(message.id, workerId, now, text);
        deps.metrics?.notificationDeferred('abandoned');
        continue;
      }
      const backoffMs = Math.min(5 * 60_000, 1_000 * 2 ** message.attempts);
      logger.warn({ outboxId: message.id, kind: message.kind, err: text }, 'notification delivery failed; will retry');
      await store.outbox.reschedule(message.id, workerId, new Date(now.getTime() + backoffMs), text);
      deps.metrics?.notificationDeferred('retry');
    }
  }
  return delivered;
}
