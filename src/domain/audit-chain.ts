import { createHash } from 'node:crypto';
import { canonicalJson } from './grant-rules.js';

/** What an audit event says; the chain fields are added when it is appended. */
export interface AuditEntry {
  at: Date;
  /** A Slack user id, `system`, `policy:<rule>` or `api:<token name>`. */
  actor: string;
  /** `request.submitted`, `request.approved`, `grant.activated`, `grant.revoked`, `approval.refused` … */
  action: string;
  subjectType: 'request' | 'grant' | 'principal' | 'slack' | 'system' | 'review' | 'drift';
  subjectId: string;
  data: Record<string, unknown>;
}

export interface ChainedAuditEvent extends AuditEntry {
  id: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Each event's hash covers its content and the previous event's hash (invariant 6). */
export function auditHash(prevHash: string, entry: AuditEntry): string {
  const body = canonicalJson({
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    data: entry.data,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export type ChainVerdict = { ok: true; checked: number; lastHash: string } | { ok: false; checked: number; brokenAt: number; why: string };

/** Walks events in id order from `prevHash`; names the first broken link. */
export function verifyChain(events: Iterable<ChainedAuditEvent>, prevHash = GENESIS_HASH, checkedBefore = 0): ChainVerdict {
  let checked = checkedBefore;
  let previous = prevHash;
  for (const event of events) {
    if (event.prevHash !== previous) {
      return { ok: false, checked, brokenAt: event.id, why: 'its prev_hash does not match the hash of the event before it' };
    }
    if (auditHash(previous, event) !== event.hash) {
      return { ok: false, checked, brokenAt: event.id, why: 'its content does not match its hash (edited after it was written)' };
    }
    previous = event.hash;
    checked += 1;
  }
  return { ok: true, checked, lastHash: previous };
}
