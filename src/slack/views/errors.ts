import { formatDurationShort } from '../../domain/duration.js';
import type { DomainError } from '../../domain/errors.js';
import { escapeText, mention, slackDate } from './format.js';
import { reviewErrorText } from './review-errors.js';

/** DomainError codes in words a person acts on. The domain never formats text for Slack. */
export function domainErrorText(error: DomainError): string {
  const d = error.details;
  switch (error.code) {
    case 'unknown_resource': {
      const suggestions = (d.suggestions as string[] | undefined) ?? [];
      return `There is no resource called \`${escapeText(String(d.resource))}\`.${
        suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?` : ''
      } \`/access\` lists what you can request.`;
    }
    case 'invalid_duration':
      return `\`${escapeText(String(d.input))}\` is not a duration. Write it like \`30m\`, \`2h\` or \`1d\`.`;
    case 'duration_too_long':
      return `That is longer than this resource allows: at most ${formatDurationShort(Number(d.maxMs))}.`;
    case 'duration_too_short':
      return `That is shorter than this resource allows: at least ${formatDurationShort(Number(d.minMs))}.`;
    case 'reason_required':
      return 'Please say why you need access: the reason is required and kept in the audit log.';
    case 'reason_too_long':
      return `Please keep the reason under ${Number(d.maxLength)} characters; a ticket link can carry the rest.`;
    case 'not_allowed_to_request':
      return `The policy does not let you request \`${escapeText(String(d.resource))}\`. Ask its owners if you think it should.`;
    case 'unmapped_identity':
      return `Keycard cannot tell who you are on \`${escapeText(String(d.provider))}\` (it maps people by ${escapeText(String(d.rule)).replace(/_/g, ' ')}). ${d.rule === 'profile_field' ? 'Fill in that field on your Slack profile' : 'Set the email on your Slack profile'} or ask an admin to add your mapping; \`/access whoami\` shows the details.`;
    case 'duplicate_request':
      return `You already have a pending request for \`${escapeText(String(d.resource))}\`. \`/access list\` shows it.`;
    case 'no_approvers':
      return `Nobody can approve \`${escapeText(String(d.resource))}\` for you right now (no approvers besides you). Ask its owners to add approvers.`;
    case 'request_not_found':
      return 'That request no longer exists.';
    case 'grant_not_found':
      return 'That grant no longer exists.';
    case 'already_decided':
      return alreadyDecided(d);
    case 'not_an_approver':
      return 'You are not an approver of this request, so your click changed nothing.';
    case 'self_approval':
      return 'You cannot approve your own request. Another approver has to decide it.';
    case 'unknown_review':
    case 'not_an_admin':
    case 'review_running':
    case 'review_not_found':
    case 'review_closed':
    case 'not_your_review_item':
    case 'review_item_decided':
    case 'self_review':
      return reviewErrorText(error);
    case 'already_voted':
      return 'You already voted on this request; it is waiting for other approvers.';
    case 'not_requester':
      return 'Only the person who asked can cancel this request.';
    case 'not_holder':
      return 'Only the person who holds this access can do that. Owners and admins can use `/access revoke`.';
    case 'grant_not_active':
      return `That access is not active (it is ${escapeText(String(d.status ?? 'not active'))}), so nothing changed.`;
    case 'not_authorized':
      return 'Only the resource’s owners and Keycard admins can do that.';
    case 'break_glass_not_allowed':
      return `\`${escapeText(String(d.resource))}\` has no break-glass path. Use \`/access request\` instead.`;
    case 'extension_too_long':
      return `That would run past the longest total time for this access; at most ${formatDurationShort(Number(d.remainingMs))} more is possible.`;
    case 'ambiguous_id':
      return `\`${escapeText(String(d.id))}\` matches more than one; use more of the id.`;
    case 'requests_frozen':
      return d.until instanceof Date
        ? `Keycard is not accepting access requests from you until ${slackDate(d.until)}, after a security alert about your account. Contact your security team if you need access sooner.`
        : 'Keycard is not accepting access requests from you: your account is being offboarded. Contact your security team if this is a mistake.';
    case 'unknown_principal':
      return 'Keycard could not find that person in Slack or the directory.';
    case 'signal_replayed':
      return 'That signal was already received; nothing changed.';
    case 'audit_admins_only':
      return 'Only Keycard admins (`settings.admins` in the policy) can read the audit log in Slack. Your attempt was recorded.';
  }
}

function alreadyDecided(d: Record<string, unknown>): string {
  const status = String(d.status ?? 'decided');
  const by = typeof d.decidedBy === 'string' ? ` by ${mention(d.decidedBy)}` : '';
  const when = d.decidedAt instanceof Date ? ` ${slackDate(d.decidedAt)}` : '';
  return `This request was already ${status}${by}${when}. Nothing changed.`;
}
