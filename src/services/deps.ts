import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Principal } from '../domain/types.js';
import type { Policy } from '../policy/policy.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Store } from '../store/store.js';
import type { ReviewJobName } from './review-job-names.js';

/** Who people are, as the chat platform knows them. Implemented at the Slack edge. */
export interface Directory {
  principal(slackUserId: string): Promise<Principal>;
  usergroupMembers(usergroupId: string): Promise<string[]>;
  /** Drops a cached member list, so the next look sees a change Slack just announced. Optional. */
  forgetUsergroup?(usergroupId: string): void;
  /** Each person's manager (Slack ids), where the directory knows it. Optional: reviews fall back to owners. */
  managersOf?(slackUserIds: readonly string[]): Promise<Map<string, string>>;
  /** The Slack user with this email, or null. Optional: a directory that cannot say leaves it out. */
  userIdByEmail?(email: string): Promise<string | null>;
  /** Lower-case names of the SCIM-provisioned groups this person is in (policy refs `directory:<name>`). */
  directoryGroupsOf?(slackUserId: string): Promise<string[]>;
  /** Slack ids of a SCIM-provisioned group's active members. */
  directoryGroupMembers?(groupName: string): Promise<string[]>;
  /** Custom profile field id (`Xf…`) → its label, to name the field a person should fill in. Optional. */
  profileFieldLabels?(): Promise<Map<string, string>>;
}

/** Scheduled work that a service may ask to run now rather than at its next tick. */
export type JobName = ReviewJobName | 'activate-grants' | 'revoke-expired-grants' | 'expire-stale-requests' | 'deliver-notifications' | 'stream-audit-events' | 'recheck-grants' | 'remind-and-escalate' | 'enforce-break-glass-reviews' | 'warn-expiring-grants';

/**
 * What services report for monitoring; the edge (Prometheus) implements it. Counts that the database
 * already holds (requests by status, active grants) are read at scrape time instead.
 */
export interface Metrics {
  requestDecided(outcome: 'approved' | 'denied', waitedMs: number): void;
  grantRevoked(lagMs: number): void;
  revocationFailed(): void;
  /** A Slack delivery postponed: waiting out a rate limit, retrying after a failure, or given up. */
  notificationDeferred(reason: 'ratelimited' | 'retry' | 'abandoned'): void;
}

export interface ServiceDeps {
  store: Store;
  clock: Clock;
  policy: Policy;
  providers: ProviderRegistry;
  directory: Directory;
  logger: Logger;
  /** Asks the scheduler to run a job soon; the job also runs on its schedule, so this is only about speed. */
  wake(job: JobName): void;
  /** Optional so tests need not provide one. */
  metrics?: Metrics;
  /** How long a claim on scheduled work lasts before another replica may take it over. */
  leaseMs?: number;
  /** This process's name in leases. */
  workerId: string;
}

const DEFAULT_LEASE_MS = 60_000;

/** A claim must outlive one provider call, and a dead replica's claims pass on when it ends. */
export function claimLeaseMs(deps: Pick<ServiceDeps, 'leaseMs'>): number {
  return deps.leaseMs ?? DEFAULT_LEASE_MS;
}
