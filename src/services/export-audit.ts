import type { ChainedAuditEvent } from '../domain/audit-chain.js';
import type { AuditFilter } from '../store/audit-repo.js';
import type { ServiceDeps } from './deps.js';

const PAGE = 500;

/** Every audit event matching the filter, oldest first, read a page at a time so any range can be exported. */
export async function* exportAudit(deps: Pick<ServiceDeps, 'store'>, filter: AuditFilter): AsyncGenerator<ChainedAuditEvent> {
  let afterId = 0;
  for (;;) {
    const page = await deps.store.audit.query(filter, afterId, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    afterId = page[page.length - 1]!.id;
  }
}

/** One event as exported and streamed: the fields the hash covers, plus the chain, so a copy can be verified. */
export function auditJson(e: ChainedAuditEvent): Record<string, unknown> {
  return { id: e.id, at: e.at.toISOString(), actor: e.actor, action: e.action, subject_type: e.subjectType, subject_id: e.subjectId, data: e.data, prev_hash: e.prevHash, hash: e.hash };
}
