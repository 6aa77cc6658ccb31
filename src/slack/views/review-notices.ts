import { formatDuration } from '../../domain/duration.js';
import type { ReviewCounts } from '../../domain/review-types.js';
import type { ReviewPolicy } from '../../policy/review-policy.js';
import type { ReviewSummary } from '../../services/review-report.js';
import type { CampaignRow } from '../../store/review-campaigns-repo.js';
import type { DriftFindingRow } from '../../store/drift-repo.js';
import type { ReviewItemRow } from '../../store/review-items-repo.js';
import { context, fields, header, section, type Block } from './blocks.js';
import { escapeText, mention, plain, slackDate } from './format.js';

/** Messages about reviews and drift other than the reviewer's own message. */
export interface ReviewNotice {
  text: string;
  blocks: Block[];
}

export function reminderNotice(campaign: CampaignRow, mine: ReviewCounts): ReviewNotice {
  const left = `${mine.pending} of your ${mine.total} item${mine.total === 1 ? '' : 's'}`;
  const then = campaign.onNoResponse === 'revoke' ? 'Undecided items will then be revoked.' : campaign.onNoResponse === 'keep' ? 'Undecided items will then be kept.' : 'Undecided items will then go to the next level up.';
  return {
    text: plain(`Reminder: ${left} in access review ${campaign.reviewName} still need a decision`),
    blocks: [
      section(`⏰ *Reminder:* ${left} in access review *${escapeText(campaign.reviewName)}* still need your decision, due ${slackDate(campaign.dueAt)}.`),
      context(`${campaign.escalatedAt ? 'This review is past due; the items were escalated to you.' : then} Your review message above lists them.`),
    ],
  };
}

export function escalationNotice(campaign: CampaignRow): ReviewNotice {
  return {
    text: plain(`Access review ${campaign.reviewName} is past due; undecided items are now yours`),
    blocks: [
      section(`⬆️ Access review *${escapeText(campaign.reviewName)}* was due ${slackDate(campaign.dueAt)} and some items were not decided. They are now yours to decide.`),
      context('Your review message lists them with Keep and Revoke.'),
    ],
  };
}

export function reportNotice(summary: ReviewSummary): ReviewNotice {
  const time = summary.timeToCompleteMs !== null ? formatDuration(summary.timeToCompleteMs) : 'not completed';
  const revoked = summary.revoked + summary.revoking;
  const blocks: Block[] = [
    header(`Access review closed: ${summary.review}`),
    fields([
      ['Items', String(summary.total)],
      ['Kept', String(summary.kept)],
      ['Revoked', String(revoked)],
      ['Unanswered', `${summary.unanswered} (${summary.onNoResponse} by policy)`],
      ['Time to complete', time],
      ['Started', `${slackDate(summary.createdAt)} by ${summary.startedBy === 'system' ? 'schedule' : mention(summary.startedBy)}`],
    ]),
  ];
  if (summary.byResource.length > 1) {
    blocks.push(section(summary.byResource.map((r) => `• \`${escapeText(r.resource)}\`: ${r.total} items, ${r.kept} kept, ${r.revoked + r.revoking} revoked, ${r.unanswered} unanswered`).join('\n')));
  }
  blocks.push(context(`Evidence: \`GET /api/v1/reviews/${summary.campaignId}/report.csv\` (or \`.json\`) with the reports token · closed ${slackDate(summary.closedAt ?? summary.dueAt)}`));
  return { text: plain(`Access review ${summary.review} closed: ${summary.total} items, ${summary.kept} kept, ${revoked} revoked, ${summary.unanswered} unanswered`), blocks };
}

export function accessRemovedNotice(item: ReviewItemRow, reviewName: string): ReviewNotice {
  const why = item.unanswered ? 'nobody confirmed you still need it by the review’s deadline' : `${mention(item.decidedBy ?? 'unknown')} decided it is no longer needed`;
  return {
    text: plain(`Your access to ${item.resource} was removed in access review ${reviewName}`),
    blocks: [
      section(`🗑️ Your access to \`${escapeText(item.resource)}\` as \`${escapeText(item.identity)}\` was *removed* in access review *${escapeText(reviewName)}*: ${why}.`),
      context('Need it again? `/access request` asks for it, just in time.'),
    ],
  };
}

const DRIFT_LIST_LIMIT = 20;

export function driftNotice(resource: string, findings: DriftFindingRow[], total: number): ReviewNotice {
  const revoking = findings.some((f) => f.action === 'revoke');
  const lines = findings.slice(0, DRIFT_LIST_LIMIT).map((f) => `• \`${escapeText(f.identity)}\` (${f.holderId ? mention(f.holderId) : 'person unknown'}) — ${f.action === 'revoke' ? 'being removed' : 'reported'}`);
  if (total > DRIFT_LIST_LIMIT) lines.push(`…and ${total - DRIFT_LIST_LIMIT} more`);
  return {
    text: plain(`Access to ${resource} that Keycard did not grant: ${total} holder${total === 1 ? '' : 's'}`),
    blocks: [
      section(`⚠️ *Access to \`${escapeText(resource)}\` that Keycard did not grant* — ${total} holder${total === 1 ? '' : 's'} not explained by a Keycard grant, the policy’s baseline or a review:\n${lines.join('\n')}`),
      context(
        revoking
          ? 'The policy says `on_drift: revoke`: this access is being removed, and the removal is audited.'
          : 'Nothing was changed (`on_drift: report`). If this access is expected, add it to the resource’s `baseline:`; otherwise remove it or set `on_drift: revoke`.',
      ),
    ],
  };
}

export function reviewStartedReply(campaign: CampaignRow): ReviewNotice {
  const body = `🗂️ Started access review *${escapeText(campaign.reviewName)}* for ${campaign.resources.map((r) => `\`${escapeText(r)}\``).join(', ')}. Keycard is reading who holds access now; each reviewer gets one message. Due ${slackDate(campaign.dueAt)}.`;
  return { text: plain(body), blocks: [section(body), context(`Campaign \`${campaign.id.slice(0, 8)}\``)] };
}

export function reviewUsageReply(reviews: ReviewPolicy[], problem?: string): ReviewNotice {
  const list = reviews.length > 0 ? reviews.map((r) => `• \`${escapeText(r.name)}\` — ${escapeText(r.description)} (${r.resources.length} resource${r.resources.length === 1 ? '' : 's'}, schedule \`${escapeText(r.schedule)}\` ${escapeText(r.timezone)})`).join('\n') : '_The policy defines no reviews._';
  const body = `${problem ? `⚠️ ${escapeText(problem)}\n` : ''}\`/access review start <name>\` starts a review now (admins only). Reviews in the policy:\n${list}`;
  return { text: plain(problem ?? 'Access reviews'), blocks: [section(body)] };
}
