import type { ServiceDeps } from './deps.js';
import { auditJson } from './export-audit.js';

/** Where streamed audit events go: stdout or a SIEM's webhook. Throws when they were not taken. */
export interface AuditSink {
  /** Names the stream's cursor, so a restart resumes where it stopped. */
  readonly name: string;
  send(lines: string[]): Promise<void>;
}

/**
 * Sends audit events not yet streamed, oldest first, a bounded batch at a time, each as one JSON line.
 * The cursor is claimed in the database (other replicas skip it) and moves only after the sink took the
 * batch: delivery is at least once, in order, and a SIEM can de-duplicate by `id`.
 */
export async function streamAuditEvents(deps: Pick<ServiceDeps, 'store' | 'clock'>, sink: AuditSink, options: { limit?: number } = {}): Promise<number> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const lastId = await tx.audit.claimStream(sink.name, now);
    if (lastId === null) return 0; // another replica is streaming right now
    const events = await tx.audit.page(lastId, options.limit ?? 200);
    if (events.length === 0) return 0;
    await sink.send(events.map((e) => JSON.stringify({ type: 'keycard.audit_event', ...auditJson(e) })));
    await tx.audit.advanceStream(sink.name, events[events.length - 1]!.id, now);
    return events.length;
  });
}
