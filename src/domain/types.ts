/** A Slack user id (`U…`/`W…`), the identity Keycard trusts for humans (invariant 1). */
export type SlackUserId = string;

/** Who gets access. Human principals come from verified Slack payloads. */
export interface Principal {
  slackUserId: SlackUserId;
  email: string | null;
  displayName: string;
  /**
   * Values of the Slack custom profile fields that some provider maps identities by (field id `Xf…` →
   * value). Only those fields are loaded; absent when no provider maps by one.
   */
  profileFields?: Readonly<Record<string, string>>;
}

export type RequestStatus = 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';

export interface AccessRequest {
  id: string;
  resource: string;
  requesterId: SlackUserId;
  requesterEmail: string | null;
  requesterName: string;
  /** The requester's identity on the resource's provider, fixed when the request is filed. */
  identity: string;
  durationMs: number;
  reason: string;
  status: RequestStatus;
  requiredApprovals: number;
  /** Slack user ids who may approve, resolved from the policy when the request was filed. */
  approverIds: SlackUserId[];
  createdAt: Date;
  /** When a still-pending request expires undecided. */
  expiresAt: Date;
  decidedAt: Date | null;
  decidedBy: SlackUserId | null;
  decisionReason: string | null;
  /** Set when a policy rule approved the request without a person. */
  autoApprovedBy: string | null;
  kind: RequestKind;
  /** For an extension: the grant it extends. */
  grantId: string | null;
  remindedAt: Date | null;
  escalatedAt: Date | null;
  /** Break-glass: an owner must confirm by then, or the grant is revoked. */
  confirmBy: Date | null;
  confirmedBy: SlackUserId | null;
  confirmedAt: Date | null;
}

/** `access`: a new grant. `extension`: more time on an active grant. `break_glass`: an emergency self-grant. */
export type RequestKind = 'access' | 'extension' | 'break_glass';

export type GrantStatus = 'pending' | 'active' | 'revoking' | 'revoked' | 'failed';

export interface Grant {
  id: string;
  requestId: string;
  resource: string;
  providerName: string;
  holderId: SlackUserId;
  identity: string;
  /** The provider-specific `grant:` block from the policy, as validated at start-up. */
  spec: Record<string, unknown>;
  /** Same key ⇔ same access at the provider; overlapping grants share it (invariant 5). */
  entitlementKey: string;
  status: GrantStatus;
  durationMs: number;
  activatedAt: Date | null;
  expiresAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  /** When revocation began; how long it has been failing is measured from here. */
  revokingSince: Date | null;
  /** When security was told that revocation keeps failing. */
  alertedAt: Date | null;
  /** When the holder was told the window is about to end. */
  warnedAt: Date | null;
  createdAt: Date;
}

export interface Approval {
  requestId: string;
  approverId: SlackUserId;
  vote: 'approve' | 'deny';
  reason: string | null;
  createdAt: Date;
}

export type Vote = Approval['vote'];
