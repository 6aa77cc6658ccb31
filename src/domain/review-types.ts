import type { SlackUserId } from './types.js';

/**
 * A review campaign: `creating` (holders being read in batches) → `open` (reviewers decide) →
 * `closing` (no more decisions: due passed or all decided; revocations finishing) → `closed`.
 */
export type CampaignStatus = 'creating' | 'open' | 'closing' | 'closed';

/** An item: `pending` → `kept` | `revoking` → `revoked` (only once the provider confirms). */
export type ReviewItemStatus = 'pending' | 'kept' | 'revoking' | 'revoked';

/** How the holder got the access: an active Keycard grant, the policy's declared baseline, or unknown. */
export type Provenance = 'grant' | 'baseline' | 'unknown';

export type ReviewDecision = 'keep' | 'revoke';

export interface ReviewCampaign {
  id: string;
  reviewName: string;
  /** The schedule window (its fire time) or `manual:<time>`; one campaign per window. */
  windowKey: string;
  trigger: 'schedule' | 'manual';
  startedBy: string;
  status: CampaignStatus;
  resources: string[];
  /** `owners`, `manager` or `group:<name>`, as the policy said when the campaign started. */
  reviewer: string;
  onNoResponse: 'revoke' | 'keep' | 'escalate';
  reportChannel: string | null;
  createdAt: Date;
  openedAt: Date | null;
  dueAt: Date;
  remindEveryMs: number | null;
  nextReminderAt: Date | null;
  remindersSent: number;
  dueAppliedAt: Date | null;
  escalatedAt: Date | null;
  /** When the last item got its decision (by a person or by `on_no_response`). */
  decidedAt: Date | null;
  closedAt: Date | null;
  itemCount: number;
  lastError: string | null;
}

export interface ReviewItem {
  id: number;
  campaignId: string;
  resource: string;
  providerName: string;
  /** The identity as the provider lists it. */
  identity: string;
  spec: Record<string, unknown>;
  /** The Slack user behind the identity, when Keycard knows it. */
  holderId: SlackUserId | null;
  provenance: Provenance;
  /** The latest Keycard grant of this access to this identity, if any: the evidence a reviewer reads. */
  grantId: string | null;
  grantedAt: Date | null;
  grantedBy: string | null;
  grantReason: string | null;
  grantEndedAt: Date | null;
  reviewerId: SlackUserId | null;
  status: ReviewItemStatus;
  decision: ReviewDecision | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** Decided by `on_no_response`, not by a person. */
  unanswered: boolean;
  escalated: boolean;
  revokedAt: Date | null;
}

/** Counts of a campaign's items (or one reviewer's share). */
export interface ReviewCounts {
  total: number;
  pending: number;
  kept: number;
  revoking: number;
  revoked: number;
  unanswered: number;
}
