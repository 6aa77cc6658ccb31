import type { ReviewPolicy } from './review-policy.js';
import type { IdentityRule } from './schema.js';

/** A person reference from the policy, already split by kind. */
export type PersonRef =
  | { type: 'user'; id: string }
  | { type: 'usergroup'; id: string }
  | { type: 'group'; name: string };

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Local days and hours in a named time zone, e.g. weekdays 09:00-18:00 in Europe/Berlin. */
export interface TimeWindow {
  days: Weekday[];
  between: string;
  timezone: string;
}

export interface AutoApproveRule {
  name: string;
  requesterIn: string[] | null;
  maxDurationMs: number | null;
  when: TimeWindow | null;
  /** Channel told of approvals by this rule; none means only the requester hears of it. */
  announce: string | null;
}

/** A resource as the services use it: durations in milliseconds, the grant block validated. */
export interface Resource {
  name: string;
  description: string;
  providerName: string;
  grant: Record<string, unknown>;
  owners: string[];
  approvers: string[];
  approvals: number;
  requesters: string[] | null;
  duration: { defaultMs: number; maxMs: number; minMs: number; maxTotalMs: number };
  requestTtlMs: number;
  /** A channel that gets a copy of each request, with buttons. */
  approvalChannel: string | null;
  dmApprovers: boolean;
  remindAfterMs: number | null;
  escalation: { afterMs: number; to: string[] } | null;
  autoApprove: AutoApproveRule[];
  breakGlass: { notify: string; maxMs: number; confirmWithinMs: number } | null;
  /** Provider identities expected to hold this standing; drift checks leave them alone. */
  baseline: string[];
  onDrift: 'report' | 'revoke' | 'ignore';
}

export interface ProviderInstance {
  name: string;
  kind: string;
  identity: IdentityRule | undefined;
  /** Settings as written, `env:` references unresolved (they are resolved when the provider is created). */
  settings: Record<string, unknown>;
}

export interface Policy {
  source: string;
  admins: string[];
  groups: Record<string, string[]>;
  providers: Record<string, ProviderInstance>;
  resources: Record<string, Resource>;
  reviews: Record<string, ReviewPolicy>;
  /** How often providers are compared with what Keycard expects (drift). */
  reconcileEveryMs: number;
  /** Where offboarding summaries and security signals are posted. */
  securityChannel: string | null;
  /** A revocation still failing this long after it began raises an alert. */
  revocationAlertAfterMs: number;
  /** How long before a grant ends its holder is warned. */
  expiryWarningMs: number;
  signals: SignalRule[];
}

/** A response to security signals; null conditions match any signal. */
export interface SignalRule {
  name: string;
  severities: string[] | null;
  types: string[] | null;
  revokeGrants: boolean;
  freezeMs: number | null;
  notifySecurity: boolean;
}
