import type { ChainedAuditEvent } from '../../domain/audit-chain.js';
import type { AuditTarget } from '../../services/audit-trail.js';
import { context, section, type Block } from './blocks.js';
import { escapeText, mention, plain, slackDate, truncate } from './format.js';
import type { Reply } from './replies.js';

/** `/access audit …` for admins: the latest events about a person or a resource, newest first. Pure. */
export function auditTrailReply(target: AuditTarget, events: ChainedAuditEvent[]): Reply {
  const about = target.kind === 'person' ? mention(target.slackUserId) : `\`${escapeText(target.name)}\``;
  if (events.length === 0) return { text: plain(`No audit events about ${about}`), blocks: [section(`No audit events about ${about} yet.`)] };
  const lines = events.map(eventLine);
  const blocks: Block[] = [section(`*Audit log: ${about}* — latest ${events.length}, newest first`)];
  // Sections hold 3,000 characters: split the lines over as many as needed.
  let chunk: string[] = [];
  for (const line of lines) {
    if ([...chunk, line].join('\n').length > 2_800) {
      blocks.push(section(chunk.join('\n')));
      chunk = [];
    }
    chunk.push(line);
  }
  if (chunk.length > 0) blocks.push(section(chunk.join('\n')));
  blocks.push(context('The full log, with hashes, is exported at `GET /api/v1/audit`; `npm run audit:verify` checks the chain.'));
  return { text: plain(`Audit log for ${target.kind === 'person' ? target.slackUserId : target.name}: ${events.length} events`), blocks };
}

function eventLine(e: ChainedAuditEvent): string {
  const actor = /^[UW][A-Z0-9]+$/.test(e.actor) ? mention(e.actor) : `\`${escapeText(e.actor)}\``;
  const subject = e.subjectType === 'principal' && /^[UW][A-Z0-9]+$/.test(e.subjectId) ? mention(e.subjectId) : `${e.subjectType} \`${escapeText(e.subjectId.slice(0, 12))}\``;
  const reason = typeof e.data.reason === 'string' ? ` — “${escapeText(truncate(e.data.reason, 120))}”` : '';
  return `• ${slackDate(e.at)} *${escapeText(e.action)}* by ${actor} on ${subject}${reason} · #${e.id}`;
}
