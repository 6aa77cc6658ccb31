import type { AccessRequest, Approval, Grant } from '../../domain/types.js';
import { ACTION, BLOCK } from '../ids.js';
import { actions, button, context, fields, section, type Block } from './blocks.js';
import { durationWords, escapeKeepingUserMentions, escapeText, mention, mentionList, plain, quote, slackDate } from './format.js';

/** Everything a request message shows; rendered afresh from current state on every change. */
export interface RequestView {
  request: AccessRequest;
  description: string;
  /** What the grant gives at the provider, in words (`role prod_readonly on prod-pg as ana`). */
  grantSummary: string;
  votes: readonly Approval[];
  grant: Grant | null;
  now: Date;
}

/**
 * Who a copy is for. `approver`: a DM or the approval channel, with Approve/Deny while pending.
 * `requester`: their own record, with Cancel, then Extend/Release while active. `reviewer`: an owner
 * asked to confirm a break-glass grant. `announce`: a channel that is only told.
 */
export type Audience = 'approver' | 'requester' | 'reviewer' | 'announce';

/** The request as one message: who, what, how long, why, status, and the buttons this reader may use. */
export function requestMessage(view: RequestView, audience: Audience): { text: string; blocks: Block[] } {
  const { request } = view;
  const pending = request.status === 'pending';
  const blocks: Block[] = [
    section(`${title(request, audience)}\n${escapeText(view.description)}`),
    fields([
      ['Requester', `${mention(request.requesterId)} (${escapeText(request.requesterName)})`],
      [request.kind === 'extension' ? 'More time' : 'Duration', durationWords(request.durationMs)],
      ...whenItEnds(view),
      ['Access', escapeText(view.grantSummary)],
    ]),
    section(`*Reason*\n${quote(request.reason)}`),
    context(statusLine(view)),
  ];
  const buttons = buttonsFor(view, audience);
  if (buttons) blocks.push(buttons);
  blocks.push(context(footer(view, audience)));
  return { text: plain(`${statusWord(view)}: ${summary(request, audience)}: ${request.reason}`), blocks };
}

function title(request: AccessRequest, audience: Audience): string {
  const who = audience === 'requester' ? 'You' : mention(request.requesterId);
  const res = `\`${request.resource}\``;
  if (request.kind === 'break_glass') return `🚨 *${who} used break-glass on ${res}*`;
  if (request.kind === 'extension') return audience === 'requester' ? `*Your request for more time on ${res}*` : `*${who} asks for more time on ${res}*`;
  return audience === 'requester' ? `*Your request for ${res}*` : `*${who} requests access to ${res}*`;
}

function summary(request: AccessRequest, audience: Audience): string {
  const who = audience === 'requester' ? 'you' : request.requesterName;
  if (request.kind === 'break_glass') return `${who} used break-glass on ${request.resource} for ${durationWords(request.durationMs)}`;
  if (request.kind === 'extension') return `${who} asked for ${durationWords(request.durationMs)} more on ${request.resource}`;
  return `${who} asked for ${request.resource} for ${durationWords(request.durationMs)}`;
}

/** Approvers see when access would end if they approved now: the grant's new end, or now + duration. */
function whenItEnds(view: RequestView): Array<[string, string]> {
  const { request, grant, now } = view;
  if (request.status !== 'pending') return [];
  if (request.kind === 'extension' && grant?.expiresAt) {
    return [['Now ends → would end', `${slackDate(grant.expiresAt)} → ${slackDate(new Date(grant.expiresAt.getTime() + request.durationMs))}`]];
  }
  return [['If approved now, ends', slackDate(new Date(now.getTime() + request.durationMs))]];
}

function buttonsFor(view: RequestView, audience: Audience): Block | null {
  const { request, grant } = view;
  const label = `${request.requesterName}'s request for ${request.resource}`;
  if (audience === 'approver' && request.status === 'pending') {
    return actions(BLOCK.decision, [
      button({ text: 'Approve', actionId: ACTION.approve, value: request.id, style: 'primary', accessibilityLabel: `Approve ${label}` }),
      button({ text: 'Deny', actionId: ACTION.deny, value: request.id, style: 'danger', accessibilityLabel: `Deny ${label}` }),
    ]);
  }
  if (audience === 'requester' && request.status === 'pending') {
    return actions(BLOCK.requesterActions, [button({ text: 'Cancel request', actionId: ACTION.cancel, value: request.id, accessibilityLabel: `Cancel your request for ${request.resource}` })]);
  }
  if (audience === 'requester' && grant?.status === 'active' && request.kind !== 'extension') {
    return actions(BLOCK.requesterActions, [
      button({ text: 'Extend', actionId: ACTION.extend, value: grant.id, accessibilityLabel: `Ask for more time on ${request.resource}` }),
      button({ text: 'Release', actionId: ACTION.release, value: grant.id, style: 'danger', accessibilityLabel: `End your access to ${request.resource} now` }),
    ]);
  }
  if (audience === 'reviewer' && request.kind === 'break_glass' && !request.confirmedAt && request.confirmBy && grant?.status === 'active') {
    return actions(BLOCK.review, [
      button({ text: 'Confirm', actionId: ACTION.confirmBreakGlass, value: request.id, style: 'primary', accessibilityLabel: `Confirm ${label} was justified` }),
      button({ text: 'Revoke', actionId: ACTION.revoke, value: grant.id, style: 'danger', accessibilityLabel: `Revoke ${label}` }),
    ]);
  }
  return null;
}

function footer(view: RequestView, audience: Audience): string {
  const { request, grant } = view;
  const ids = `request \`${request.id.slice(0, 8)}\`${grant ? ` · grant \`${grant.id.slice(0, 8)}\`` : ''}`;
  if (request.kind === 'break_glass' && audience !== 'requester') {
    const review = request.confirmedAt
      ? `Confirmed by ${mention(request.confirmedBy!)} ${slackDate(request.confirmedAt)}`
      : request.confirmBy
        ? `An owner must confirm by ${slackDate(request.confirmBy)} or the access is revoked`
        : 'Not confirmed in time; the access was revoked';
    return `${review} · ${ids}`;
  }
  switch (audience) {
    case 'approver':
      return `You are asked because you may approve \`${request.resource}\` · ${ids}`;
    case 'requester':
      return `Approvers: ${mentionList(request.approverIds)} · ${ids}`;
    default:
      return ids;
  }
}

/** Status as emoji and word, with who decided and when (the message becomes the record). */
export function statusLine(view: RequestView): string {
  const { request, votes, grant } = view;
  const approvals = votes.filter((v) => v.vote === 'approve').map((v) => v.approverId);
  switch (request.status) {
    case 'pending':
      if (approvals.length > 0) {
        return `⏳ *Pending* — ${approvals.length} of ${request.requiredApprovals} approvals: ${mentionList(approvals, 'and')} · expires ${slackDate(request.expiresAt)} if undecided`;
      }
      return `⏳ *Pending* — needs ${request.requiredApprovals === 1 ? 'an approval' : `${request.requiredApprovals} approvals`} from ${mentionList(request.approverIds)} · expires ${slackDate(request.expiresAt)} if undecided`;
    case 'approved':
      return `${approvedBy(request, approvals)}${grant ? ` · ${grantLine(grant)}` : ''}`;
    case 'denied':
      return `❌ *Denied* by ${mention(request.decidedBy ?? 'unknown')} ${slackDate(request.decidedAt!)}${request.decisionReason ? `: “${escapeText(request.decisionReason)}”` : ''}`;
    case 'cancelled':
      return `🚫 *Cancelled* by ${mention(request.decidedBy ?? request.requesterId)} ${slackDate(request.decidedAt!)}`;
    case 'expired':
      return `⌛ *Expired* — nobody decided by ${slackDate(request.decidedAt ?? request.expiresAt)}`;
  }
}

function approvedBy(request: AccessRequest, approvals: string[]): string {
  if (request.kind === 'break_glass') return `🚨 *Self-granted* (break-glass) ${slackDate(request.decidedAt!)}`;
  if (request.autoApprovedBy) return `✅ *Approved* automatically by policy rule \`${request.autoApprovedBy}\` ${slackDate(request.decidedAt!)}`;
  const who = approvals.length > 0 ? mentionList(approvals, 'and') : mention(request.decidedBy ?? 'unknown');
  return `✅ *Approved* by ${who} ${slackDate(request.decidedAt!)}`;
}

function grantLine(grant: Grant): string {
  switch (grant.status) {
    case 'pending':
      return grant.lastError ? `⚠️ granting is being retried: ${escapeText(grant.lastError)}` : '⚙️ granting access…';
    case 'active':
      return `🟢 *Active* until ${slackDate(grant.expiresAt!)}`;
    case 'revoking':
      return '⚙️ *Ending* — removing access';
    case 'revoked':
      return `⌛ *Ended* ${slackDate(grant.endedAt!)}${grant.endReason && grant.endReason !== 'expired' ? ` (${escapeKeepingUserMentions(grant.endReason)})` : ''}`;
    case 'failed':
      return `⚠️ *Could not grant*: ${escapeText(grant.lastError ?? 'the provider refused')}`;
  }
}

function statusWord(view: RequestView): string {
  const { request, grant } = view;
  if (request.status === 'approved' && grant?.status === 'active') return 'Active';
  if (request.status === 'approved' && grant?.status === 'revoked') return 'Ended';
  if (request.status === 'approved' && grant?.status === 'failed') return 'Failed';
  return request.status[0]!.toUpperCase() + request.status.slice(1);
}
