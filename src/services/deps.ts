import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Principal } from '../domain/types.js';
import type { Policy } from '../policy/policy.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Store } from '../store/store.js';

/** Who people are, as the chat platform knows them. Implemented at the Slack edge. */
export interface Directory {
  principal(slackUserId: string): Promise<Principal>;
  usergroupMembers(usergroupId: string): Promise<string[]>;
}

/** Scheduled work that a service may ask to run now rather than at its next tick. */
export type JobName = 'activate-grants' | 'revoke-expired-grants' | 'expire-stale-requests' | 'deliver-notifications';

export interface ServiceDeps {
  store: Store;
  clock: Clock;
  policy: Policy;
  providers: ProviderRegistry;
  directory: Directory;
  logger: Logger;
  /** Asks the scheduler to run a job soon; the job also runs on its schedule, so this is only about speed. */
  wake(job: JobName): void;
  /** This process's name in leases. */
  workerId: string;
}
