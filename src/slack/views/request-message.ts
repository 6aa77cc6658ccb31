import type { AccessRequest, Approval, Grant } from '../../domain/types.js';
import { ACTION, BLOCK } from '../ids.js';
import { actions, button, context, fields, section, type Block } from './blocks.js';
import { durationWords, escapeText, mention, mentionList, plain, quote, slackDate } from './format.js';

/** Everything a request message shows; rendered afresh from current state on every change. */
export interface RequestView {
  request: AccessRequest;
  description: string;
  /** What the grant gives at the provider, in words (`role prod_readonly on prod-pg`). */
  grantSummary: string;
  votes: readonly Approval[];
  grant: Grant | null;
  now: Date;
}

export type Audience = 'approver' | 'requester';

/** The request as one message: who, what, how long, why, status, and (for approvers, while pending) buttons. */
export function requestMessage(view: RequestView, audience: Audience): { text: string; blocks: Block[] } {
  const { request } = view;
  const pending = request.status === 'pending';
  const title =
    audience === 'approver'
      ? `*${mention(request.requesterId)} requests access to \`${request.resource}\`*`
      : `*Your request for \`${request.resource}\`*`;
  const blocks: Block[] = [
    section(`${title}\n${escapeText(view.description)}`),
    fields([
      ['Requester', `${mention(request.requesterId)} (${escapeText(request.requesterName)})`],
      ['Duration', durationWords(request.durationMs)],
      ...(pending ? [['If approved now, ends', slackDate(new Date(view.now.getTime() + request.durationMs))] as [string, string]] : []),
      ['Access', escapeText(view.grantSummary)],
    ]),
    section(`*Reason*\n${quote(request.reason)}`),
    context(statusLine(view)),
  ];
  if (pending && audience === 'approver') {
    blocks.push(
      actions(BLOCK.decision, [
        button({ text: 'Approve', actionId: ACTION.approve, value: request.id, style: 'primary', accessibilityLabel: `Approve ${request.requesterName}'s request for ${request.resource}` }),
        button({ text: 'Deny', actionId: ACTION.deny, value: request.id, style: 'danger', accessibilityLabel: `Deny ${request.requesterName}'s request for ${request.resource}` }),
      ]),
    );
  }
  blocks.push(
    context(
      audience === 'approver'
        ? `You are asked because you are an approver of \`${request.resource}\` · request \`${request.id.slice(0, 8)}\``
        : `Approvers: ${mentionList(request.approverIds)} · request \`${request.id.slice(0, 8)}\``,
    ),
  );
  const verb = audience === 'approver' ? `${request.requesterName} requests` : 'Your request for';
  return {
    text: plain(`${statusWord(view)}: ${verb} ${request.resource} for ${durationWords(request.durationMs)}: ${request.reason}`),
    blocks,
  };
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
      return `⌛ *Ended* ${slackDate(grant.endedAt!)}${grant.endReason && grant.endReason !== 'expired' ? ` (${escapeText(grant.endReason)})` : ''}`;
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
