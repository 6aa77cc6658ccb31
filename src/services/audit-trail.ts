import type { ChainedAuditEvent } from '../domain/audit-chain.js';
import { DomainError } from '../domain/errors.js';
import { findResource } from '../policy/evaluate.js';
import type { ServiceDeps } from './deps.js';
import { resolvePeople } from './resolve-people.js';

export type AuditTarget = { kind: 'person'; slackUserId: string } | { kind: 'resource'; name: string };

const TRAIL_LENGTH = 25;

/**
 * `/access audit @user` and `/access audit <resource>`: the latest audit events about a person or a
 * resource, for Keycard admins only. Looking is itself recorded; a refused look is too.
 */
export async function auditTrail(deps: ServiceDeps, input: { adminId: string; target: AuditTarget }): Promise<ChainedAuditEvent[]> {
  const { store, policy, directory, clock } = deps;
  const now = clock.now();
  const subject = input.target.kind === 'person' ? input.target.slackUserId : input.target.name;
  const admins = await resolvePeople(policy, directory, policy.admins);
  if (!admins.has(input.adminId)) {
    await store.transaction((tx) =>
      tx.audit.append({ at: now, actor: input.adminId, action: 'audit.query_refused', subjectType: 'system', subjectId: 'audit', data: { target: input.target.kind, subject, code: 'audit_admins_only' } }),
    );
    throw new DomainError('audit_admins_only', `${input.adminId} is not a Keycard admin`);
  }
  if (input.target.kind === 'resource') findResource(policy, input.target.name); // unknown names get suggestions
  const events =
    input.target.kind === 'person'
      ? await store.audit.trailForPerson(input.target.slackUserId, TRAIL_LENGTH)
      : await store.audit.trailForResource(input.target.name, TRAIL_LENGTH);
  await store.transaction((tx) =>
    tx.audit.append({ at: now, actor: input.adminId, action: 'audit.queried', subjectType: 'system', subjectId: 'audit', data: { target: input.target.kind, subject, shown: events.length } }),
  );
  return events;
}
