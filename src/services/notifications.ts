import type { Repositories } from '../store/store.js';
import type { SecurityNotice } from './security-notice.js';
import type { ReviewNotification } from './review-notifications.js';

/**
 * The notifications services enqueue in the same transaction as the change they report (invariant 8).
 * The Slack edge turns each into messages; the payload carries ids only, so delivery renders current state.
 */
export type Notification =
  | { kind: 'request.submitted'; requestId: string }
  | { kind: 'request.progress'; requestId: string }
  | { kind: 'request.decided'; requestId: string }
  | { kind: 'request.expired'; requestId: string }
  | { kind: 'grant.activated'; grantId: string }
  | { kind: 'grant.failed'; grantId: string }
  | ReviewNotification
  | { kind: 'grant.revoked'; grantId: string }
  | { kind: 'grant.extended'; grantId: string; requestId: string }
  | { kind: 'request.cancelled'; requestId: string }
  | { kind: 'request.reminder'; requestId: string }
  | { kind: 'request.escalated'; requestId: string }
  | { kind: 'break_glass.invoked'; requestId: string }
  | { kind: 'break_glass.confirmed'; requestId: string }
  | { kind: 'grant.revocation_stuck'; grantId: string }
  | { kind: 'grant.expiring'; grantId: string }
  | { kind: 'security.notice'; channel: string; notice: SecurityNotice }
  | { kind: 'request.understaffed'; requestId: string; recipients: string[] };

export function notificationPayload(n: Notification): Record<string, unknown> {
  const { kind: _kind, ...payload } = n;
  return payload;
}

/** Enqueues inside the caller's transaction. */
export async function notify(tx: Repositories, notification: Notification, now: Date): Promise<void> {
  await tx.outbox.enqueue(notification.kind, notificationPayload(notification), now);
}
