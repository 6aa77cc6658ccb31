import type { AccessRequest, Grant } from '../../domain/types.js';
import { actions, button, context, section, type Block } from './blocks.js';
import { ACTION, BLOCK } from '../ids.js';
import { durationWords, escapeKeepingUserMentions, escapeText, mention, mentionList, plain, quote, slackDate } from './format.js';

/** Direct messages that tell a person something happened to their request or access. */
export interface Notice {
  text: string;
  blocks: Block[];
}

const notice = (text: string, body: string, footer?: string, buttons: Block[] = []): Notice => ({
  text: plain(text),
  blocks: [section(body), ...(footer ? [context(footer)] : []), ...(buttons.length > 0 ? [actions(BLOCK.requesterActions, buttons)] : [])],
});

/** Opens the request form filled in as the earlier request was. */
const requestAgain = (requestId: string, resource: string): Block =>
  button({ text: 'Request again', actionId: ACTION.requestAgain, value: requestId, accessibilityLabel: `Request ${resource} again` });

export function decisionNotice(request: AccessRequest): Notice {
  if (request.status === 'approved' && request.kind === 'extension') {
    const by = request.autoApprovedBy ? `policy rule \`${request.autoApprovedBy}\`` : mention(request.decidedBy ?? 'unknown');
    return notice(`Approved: ${durationWords(request.durationMs)} more on ${request.resource}`, `✅ Your request for ${durationWords(request.durationMs)} more on \`${request.resource}\` was *approved* by ${by}.`);
  }
  if (request.status === 'approved') {
    const by = request.autoApprovedBy ? `policy rule \`${request.autoApprovedBy}\`` : mention(request.decidedBy ?? 'unknown');
    return notice(
      `Approved: ${request.resource} for ${durationWords(request.durationMs)}`,
      `✅ Your request for \`${request.resource}\` (${durationWords(request.durationMs)}) was *approved* by ${by}. Access is being granted now; the ${durationWords(request.durationMs)} start when it is active.`,
    );
  }
  if (request.status === 'denied') {
    return notice(
      `Denied: ${request.resource}`,
      `❌ Your request for \`${request.resource}\` was *denied* by ${mention(request.decidedBy ?? 'unknown')}.${request.decisionReason ? `\n*Reason*\n${quote(request.decisionReason)}` : ''}`,
      'You can ask again if the reason no longer applies.',
      [requestAgain(request.id, request.resource)],
    );
  }
  return expiredNotice(request);
}

export function expiredNotice(request: AccessRequest): Notice {
  return notice(
    `Expired: ${request.resource}`,
    `⌛ Your request for \`${request.resource}\` *expired*: nobody decided by ${slackDate(request.decidedAt ?? request.expiresAt)}.`,
    'Ask again, or reach an approver directly if it is urgent.',
    [requestAgain(request.id, request.resource)],
  );
}

export function grantActiveNotice(grant: Grant): Notice {
  return notice(
    `Active: ${grant.resource} until ${grant.expiresAt!.toISOString()}`,
    `🟢 Your access to \`${grant.resource}\` is *active* as \`${escapeText(grant.identity)}\` until ${slackDate(grant.expiresAt!)}.`,
    `It ends by itself; \`/access list\` shows what you hold.`,
  );
}

export function grantEndedNotice(grant: Grant): Notice {
  const why = grant.endReason && grant.endReason !== 'expired' ? ` (${escapeKeepingUserMentions(grant.endReason)})` : ': its window ended';
  return notice(
    `Ended: ${grant.resource}`,
    `⌛ Your access to \`${grant.resource}\` *ended* ${slackDate(grant.endedAt!)}${why}.`,
    'Need it again? A new request goes through the same approvals.',
    [requestAgain(grant.requestId, grant.resource)],
  );
}

export function grantFailedNotice(grant: Grant): Notice {
  return notice(
    `Could not grant ${grant.resource}`,
    `⚠️ Your request for \`${grant.resource}\` was approved, but *access could not be granted*: ${escapeText(grant.lastError ?? 'the provider refused')}.`,
    'Nothing was granted. Ask the resource owners to fix this, then request again.',
  );
}

export function extendedNotice(grant: Grant): Notice {
  return notice(
    `Extended: ${grant.resource} until ${grant.expiresAt!.toISOString()}`,
    `⏱️ Your access to \`${grant.resource}\` was *extended*; it now ends ${slackDate(grant.expiresAt!)}.`,
  );
}

/** In a shared channel the approvers are named, so the nudge reaches them; in their own DM it need not. */
export function reminderNotice(request: AccessRequest, options: { mentionApprovers?: boolean } = {}): Notice {
  const who = options.mentionApprovers ? `${mentionList(request.approverIds, 'or')}: ` : '';
  return notice(
    `Reminder: ${request.requesterName} is waiting for ${request.resource}`,
    `⏰ ${who}Still waiting: ${mention(request.requesterId)} asked for \`${request.resource}\` ${slackDate(request.createdAt)}. The request expires ${slackDate(request.expiresAt)} if nobody decides.`,
  );
}

/** For the security channel: access that should be gone is not, and Keycard cannot remove it yet. */
export function revocationStuckAlert(grant: Grant): Notice {
  const since = grant.revokingSince ?? grant.expiresAt;
  return notice(
    `Revocation failing: ${grant.resource} for ${grant.holderId}`,
    `🚨 *Access that should have ended is still there.* Removing ${mention(grant.holderId)}’s access to \`${grant.resource}\` (as \`${escapeText(grant.identity)}\` on \`${grant.providerName}\`) has failed ${grant.attempts} times${since ? ` since ${slackDate(since)}` : ''}.\n*Last error*\n${quote(grant.lastError ?? 'unknown')}`,
    `Keycard keeps retrying with backoff and marks it revoked only when the provider confirms. Check the provider’s credentials and reachability. Grant \`${grant.id.slice(0, 8)}\`.`,
  );
}

/** Shortly before access ends: when, and the two things the holder can do about it right here. */
export function expiringNotice(grant: Grant): Notice {
  return {
    text: plain(`Ending soon: ${grant.resource} at ${grant.expiresAt!.toISOString()}`),
    blocks: [
      section(`⏳ Your access to \`${grant.resource}\` ends ${slackDate(grant.expiresAt!)}. Need more time? Extending goes through the same approvals as the request did.`),
      actions(BLOCK.requesterActions, [
        button({ text: 'Extend', actionId: ACTION.extend, value: grant.id, accessibilityLabel: `Ask for more time on ${grant.resource}` }),
        button({ text: 'Release now', actionId: ACTION.release, value: grant.id, style: 'danger', accessibilityLabel: `End your access to ${grant.resource} now` }),
      ]),
    ],
  };
}
