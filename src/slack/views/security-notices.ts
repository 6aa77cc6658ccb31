import type { AccessRequest } from '../../domain/types.js';
import type { EndedGrant, SecurityNotice } from '../../services/security-notice.js';
import { context, section, type Block } from './blocks.js';
import { escapeText, mention, mentionList, plain, quote, slackDate } from './format.js';

/** Messages for the security channel, and for owners whose request lost its approvers. Pure. */

const LIST_LIMIT = 20;

export function securityNoticeMessage(notice: SecurityNotice): { text: string; blocks: Block[] } {
  switch (notice.type) {
    case 'offboarded': {
      const from = notice.source === 'slack' ? 'deactivated in Slack' : 'deactivated in the identity provider (SCIM)';
      const blocks: Block[] = [section(`🚪 *Offboarded:* ${person(notice.person)} — ${from}`)];
      blocks.push(section(grantList(notice.grants, 'Access being removed')));
      if (notice.cancelledRequests.length > 0) {
        blocks.push(section(`*Requests cancelled (${notice.cancelledRequests.length})*\n${bullets(notice.cancelledRequests.map((r) => `\`${escapeText(r.resource)}\` · request \`${r.requestId.slice(0, 8)}\``))}`));
      }
      if (notice.reassigned.length > 0) {
        const lines = notice.reassigned.map(
          (r) =>
            `${mention(r.requesterId)}’s request for \`${escapeText(r.resource)}\`: ${mentionList(r.removed, 'and')} removed as approver` +
            `${r.added.length > 0 ? `, ${mentionList(r.added, 'and')} added` : ''}${r.short ? ' — ⚠️ *too few approvers left*, owners told' : ''}`,
        );
        blocks.push(section(`*Approvals reassigned (${notice.reassigned.length})*\n${bullets(lines)}`));
      }
      if (notice.reviewItemsReassigned) blocks.push(section(`*Review items handed to another reviewer:* ${notice.reviewItemsReassigned}`));
      blocks.push(context(`New requests from ${mentionList(notice.slackUserIds, 'and')} are refused. Access is recorded as removed only when each provider confirms.`));
      return { text: plain(`Offboarded ${notice.person}: ${notice.grants.length} grants being removed, ${notice.cancelledRequests.length} requests cancelled`), blocks };
    }
    case 'signal': {
      const blocks: Block[] = [
        section(`🚨 *Security signal* \`${escapeText(notice.signalType)}\` (${notice.severity}) about ${person(notice.person)}${notice.summary ? `\n${quote(notice.summary, 500)}` : ''}`),
      ];
      if (notice.grants.length > 0) blocks.push(section(grantList(notice.grants, 'Access being removed')));
      const did = [
        notice.grants.length === 0 ? 'no access to remove' : null,
        notice.frozenUntil ? `new requests refused until ${slackDate(new Date(notice.frozenUntil))}` : null,
      ].filter(Boolean);
      blocks.push(context(`Policy rule \`${escapeText(notice.rule ?? 'none')}\` · ${did.join(' · ') || 'recorded'} · signal \`${escapeText(notice.signalId)}\``));
      return { text: plain(`Security signal ${notice.signalType} (${notice.severity}) about ${notice.person}`), blocks };
    }
    case 'no_longer_allowed':
      return {
        text: plain(`${notice.grants.length} grants of ${notice.slackUserId} end: no longer allowed`),
        blocks: [section(`↪️ ${mention(notice.slackUserId)} no longer qualifies for some access (${escapeText(notice.why)}).`), section(grantList(notice.grants, 'Access being removed'))],
      };
  }
}

export function understaffedNotice(request: AccessRequest, required: number): { text: string; blocks: Block[] } {
  const remaining = request.approverIds.length;
  const body =
    `⚠️ ${mention(request.requesterId)}’s request for \`${escapeText(request.resource)}\` lost an approver who left, and now has ` +
    `${remaining === 0 ? 'no approvers' : `only ${mentionList(request.approverIds, 'and')}`} for the ${required} approval${required === 1 ? '' : 's'} it needs.`;
  return {
    text: plain(`Request for ${request.resource} has too few approvers`),
    blocks: [section(body), context(`Add approvers to \`${escapeText(request.resource)}\` in the policy, or it expires ${slackDate(request.expiresAt)} undecided. Request \`${request.id.slice(0, 8)}\`.`)],
  };
}

function grantList(grants: EndedGrant[], title: string): string {
  if (grants.length === 0) return `*${title}*\nNone held.`;
  const lines = grants.slice(0, LIST_LIMIT).map((g) => `\`${escapeText(g.resource)}\` as \`${escapeText(g.identity)}\` on ${escapeText(g.provider)}`);
  const more = grants.length > LIST_LIMIT ? `\n…and ${grants.length - LIST_LIMIT} more` : '';
  return `*${title} (${grants.length})*\n${bullets(lines)}${more}`;
}

/** A Slack mention stays a mention; anything else (an email) is shown as text. */
const person = (label: string) => (/^<@[UW][A-Z0-9]+>$/.test(label) ? label : escapeText(label));

const bullets = (lines: string[]) => lines.slice(0, LIST_LIMIT).map((l) => `• ${l}`).join('\n');
