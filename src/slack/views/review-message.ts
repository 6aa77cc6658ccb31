import type { ReviewItemRow } from '../../store/review-items-repo.js';
import type { ReviewerView } from '../../services/describe-review.js';
import { REVIEW_PAGE_SIZE } from '../../domain/review-rules.js';
import { REVIEW_ACTION } from '../review-ids.js';
import { actions, button, context, divider, header, section, type Block } from './blocks.js';
import { durationWords, escapeText, mention, plain, slackDate, truncate } from './format.js';

/**
 * A reviewer's one message per campaign: their items a page at a time, each with its evidence and Keep /
 * Revoke while it is undecided, Keep all / Revoke all for the page, and progress that changes as
 * decisions land. Rendered afresh from current state on every change (≤ 50 blocks: 10 items per page).
 */
export function reviewMessage(view: ReviewerView, now: Date): { text: string; blocks: Block[] } {
  const { campaign, counts, items } = view;
  const open = campaign.status === 'open';
  const blocks: Block[] = [
    header(`Access review: ${campaign.reviewName}`),
    section(intro(view)),
    context(progressLine(view)),
    divider(),
  ];
  if (items.length === 0) blocks.push(section('_No items are assigned to you in this review any more._'));
  for (const item of items) {
    blocks.push(section(itemText(item, now, view.reviewerId)));
    if (open && item.status === 'pending') {
      const who = item.holderId ? `${item.identity} (${item.holderId})` : item.identity;
      blocks.push(
        actions(`review_item_${item.id}`, [
          button({ text: 'Keep', actionId: REVIEW_ACTION.keep, value: String(item.id), style: 'primary', accessibilityLabel: `Keep ${who}'s access to ${item.resource}` }),
          button({ text: 'Revoke', actionId: REVIEW_ACTION.revoke, value: String(item.id), style: 'danger', accessibilityLabel: `Revoke ${who}'s access to ${item.resource}` }),
        ]),
      );
    } else {
      blocks.push(context(outcomeLine(item)));
    }
  }
  blocks.push(divider());
  const controls = pageControls(view);
  if (controls.length > 0) blocks.push(actions('review_page', controls));
  const first = view.page * REVIEW_PAGE_SIZE + 1;
  blocks.push(
    context(
      `Page ${view.page + 1} of ${view.pages}${counts.total > 0 ? ` · items ${first}–${first + items.length - 1} of ${counts.total}` : ''} · review \`${campaign.id.slice(0, 8)}\` · asked because you are ${reasonAsked(campaign.reviewer)}`,
    ),
  );
  return { text: plain(textFallback(view)), blocks };
}

function intro(view: ReviewerView): string {
  const { campaign } = view;
  const description = view.description !== campaign.reviewName ? `\n${escapeText(view.description)}` : '';
  if (campaign.status === 'closed') return `🔒 *This review is closed* (${slackDate(campaign.closedAt ?? campaign.dueAt)}). Thank you.${description}`;
  if (campaign.status === 'closing') return `⌛ *This review no longer takes decisions*; removals are being confirmed with each system.${description}`;
  return `${mention(view.reviewerId)}, please confirm who should keep their access. *Keep* what is still needed, *Revoke* what is not. Due ${slackDate(campaign.dueAt)}; ${deadlineRule(campaign.onNoResponse)}${description}`;
}

function deadlineRule(onNoResponse: string): string {
  if (onNoResponse === 'keep') return 'items left undecided then are kept.';
  if (onNoResponse === 'escalate') return 'items left undecided then go to the next level up.';
  return '*items left undecided then are revoked*.';
}

function progressLine(view: ReviewerView): string {
  const { counts, campaign } = view;
  const decided = counts.total - counts.pending;
  const width = 10;
  const filled = counts.total === 0 ? width : Math.round((decided / counts.total) * width);
  const bar = `${'▓'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const parts = [`${bar} *${decided} of ${counts.total}* decided`, `${counts.kept} kept`, `${counts.revoked + counts.revoking} revoked${counts.revoking > 0 ? ` (${counts.revoking} being removed)` : ''}`];
  if (counts.unanswered > 0) parts.push(`${counts.unanswered} decided by the deadline`);
  if (counts.pending > 0 && campaign.status === 'open') parts.push(`${counts.pending} left`);
  return parts.join(' · ');
}

/** Who holds what, and the evidence: how it was granted, by whom, why, and for how long. */
export function itemText(item: ReviewItemRow, now: Date, reviewerId?: string): string {
  const who = item.holderId ? `${mention(item.holderId)}` : '_person unknown_';
  const title = `*\`${escapeText(item.identity)}\`* · ${who} · \`${escapeText(item.resource)}\``;
  return `${title}\n${provenanceLine(item, now)}${item.escalated && reviewerId ? '\n⬆️ _Escalated to you: not decided by its first reviewer in time_' : ''}`;
}

function provenanceLine(item: ReviewItemRow, now: Date): string {
  const reason = item.grantReason ? ` · “${escapeText(truncate(item.grantReason, 200))}”` : '';
  const approver = item.grantedBy ? ` · approved by ${approvedBy(item.grantedBy)}` : '';
  if (item.provenance === 'grant' && item.grantedAt) {
    return `🎫 Keycard grant since ${slackDate(item.grantedAt)} (held ${durationWords(Math.max(0, now.getTime() - item.grantedAt.getTime()))})${approver}${reason}`;
  }
  const last = item.grantedAt
    ? `\nLast Keycard grant ${slackDate(item.grantedAt)}${approver}${reason}${item.grantEndedAt ? `, ended ${slackDate(item.grantEndedAt)}` : ''}`
    : '';
  if (item.provenance === 'baseline') return `📌 Standing access declared in the policy (baseline)${last}`;
  return `❓ *Not granted through Keycard* — how it was given is unknown${last}`;
}

function approvedBy(grantedBy: string): string {
  return grantedBy.startsWith('policy:') ? `policy rule \`${escapeText(grantedBy.slice(7))}\`` : mention(grantedBy);
}

export function outcomeLine(item: ReviewItemRow): string {
  const by = item.unanswered ? 'nobody answered by the deadline' : item.decidedBy ? `by ${mention(item.decidedBy)}` : '';
  const when = item.decidedAt ? ` ${slackDate(item.decidedAt)}` : '';
  switch (item.status) {
    case 'pending':
      return '⏳ Waiting for a decision';
    case 'kept':
      return `✅ *Kept* — ${by}${when}`;
    case 'revoking':
      return `⚙️ *Revoke* — ${by}${when}; removing access now`;
    case 'revoked':
      return `🗑️ *Revoked* ${slackDate(item.revokedAt ?? item.decidedAt ?? new Date(0))} — ${by}`;
  }
}

function pageControls(view: ReviewerView): Block[] {
  const { campaign, items, page, pages } = view;
  const controls: Block[] = [];
  const pending = items.filter((i) => i.status === 'pending');
  if (campaign.status === 'open' && pending.length > 0) {
    const ids = pending.map((i) => i.id).join(',');
    controls.push(
      button({ text: 'Keep all', actionId: REVIEW_ACTION.keepPage, value: ids, accessibilityLabel: `Keep all ${pending.length} undecided items on this page` }),
      {
        ...button({ text: 'Revoke all', actionId: REVIEW_ACTION.revokePage, value: ids, style: 'danger', accessibilityLabel: `Revoke all ${pending.length} undecided items on this page` }),
        confirm: {
          title: { type: 'plain_text', text: 'Revoke all on this page?' },
          text: { type: 'mrkdwn', text: `This removes access for ${pending.length} holder${pending.length === 1 ? '' : 's'} on this page.` },
          confirm: { type: 'plain_text', text: 'Revoke all' },
          deny: { type: 'plain_text', text: 'Cancel' },
          style: 'danger',
        },
      },
    );
  }
  if (page > 0) controls.push(button({ text: '◀ Previous', actionId: REVIEW_ACTION.previousPage, value: `${campaign.id}:${page - 1}` }));
  if (page < pages - 1) controls.push(button({ text: 'Next ▶', actionId: REVIEW_ACTION.nextPage, value: `${campaign.id}:${page + 1}` }));
  return controls;
}

function reasonAsked(reviewer: string): string {
  if (reviewer === 'manager') return 'the holders’ manager (or an owner where the manager is unknown)';
  if (reviewer.startsWith('group:')) return `in the reviewers group \`${escapeText(reviewer.slice(6))}\``;
  return 'an owner of these resources';
}

function textFallback(view: ReviewerView): string {
  const { campaign, counts } = view;
  if (campaign.status !== 'open') return `Access review ${campaign.reviewName}: closed. ${counts.kept} kept, ${counts.revoked + counts.revoking} revoked.`;
  return `Access review ${campaign.reviewName}: ${counts.pending} of ${counts.total} items need your decision by ${campaign.dueAt.toISOString().slice(0, 10)}`;
}
