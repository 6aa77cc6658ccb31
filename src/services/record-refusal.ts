import type { AuditEntry } from '../domain/audit-chain.js';
import type { ServiceDeps } from './deps.js';

export interface Refusal {
  /** `slack.signature_refused`, `scim.auth_refused`, `signals.auth_refused`, `audit.auth_refused` … */
  action: string;
  subjectType: AuditEntry['subjectType'];
  subjectId: string;
  /** Why, and where from; never the credential that was offered. */
  data: Record<string, unknown>;
}

/** A refused attempt that reached no service (bad signature, bad token) still lands in the audit log. */
export async function recordRefusal(deps: Pick<ServiceDeps, 'store' | 'clock'>, refusal: Refusal): Promise<void> {
  const at = deps.clock.now();
  await deps.store.transaction((tx) => tx.audit.append({ at, actor: 'unauthenticated', ...refusal }));
}
