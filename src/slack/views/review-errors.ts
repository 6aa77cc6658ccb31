import type { DomainError } from '../../domain/errors.js';
import { escapeText, mention, slackDate } from './format.js';

/** Review refusals in words a person acts on. */
export function reviewErrorText(error: DomainError): string {
  const d = error.details;
  switch (error.code) {
    case 'unknown_review': {
      const suggestions = (d.suggestions as string[] | undefined) ?? [];
      return `There is no review called \`${escapeText(String(d.review))}\`.${
        suggestions.length > 0 ? ` Reviews in the policy: ${suggestions.map((s) => `\`${escapeText(s)}\``).join(', ')}.` : ' The policy defines no reviews.'
      }`;
    }
    case 'not_an_admin':
      return 'Only Keycard admins (`settings.admins` in the policy) can start a review.';
    case 'review_running':
      return `A campaign of \`${escapeText(String(d.review))}\` is already running (\`${String(d.campaignId).slice(0, 8)}\`). It must close before another starts.`;
    case 'review_not_found':
      return 'That review no longer exists, so nothing changed.';
    case 'review_closed':
      return d.status === 'creating'
        ? 'This review is still being prepared; try again in a moment.'
        : `This review is closed${d.dueAt instanceof Date ? ` (it was due ${slackDate(d.dueAt)})` : ''}, so your click changed nothing.`;
    case 'not_your_review_item':
      return 'That item is assigned to another reviewer, so your click changed nothing.';
    case 'review_item_decided': {
      const verb = d.decision === 'revoke' ? 'revoked' : 'kept';
      const by = typeof d.decidedBy === 'string' ? (d.decidedBy === 'system' ? ' by the review’s deadline rule' : ` by ${mention(d.decidedBy)}`) : '';
      const when = d.decidedAt instanceof Date ? ` ${slackDate(d.decidedAt)}` : '';
      return `That item was already ${verb}${by}${when}. Nothing changed.`;
    }
    case 'self_review':
      return 'Nobody reviews their own access; another reviewer decides this item.';
    default:
      return error.message;
  }
}
