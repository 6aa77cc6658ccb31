import { DomainError } from '../domain/errors.js';
import type { ServiceDeps } from './deps.js';

/** Refuses a new request from a person under a freeze (a security signal, or offboarding). */
export async function assertNotFrozen(deps: Pick<ServiceDeps, 'store' | 'clock'>, slackUserId: string): Promise<void> {
  const freeze = await deps.store.signals.activeFreeze(slackUserId, deps.clock.now());
  if (!freeze) return;
  throw new DomainError('requests_frozen', `${slackUserId} may not file requests (${freeze.cause})`, { until: freeze.until, cause: freeze.cause });
}
