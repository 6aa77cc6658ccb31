import type { AccessRequest, Grant } from '../../domain/types.js';
import type { MyAccess } from '../../services/list-my-access.js';
import { context, divider, section, type Block } from './blocks.js';
import { durationWords, escapeText, mentionList, plain, slackDate } from './format.js';

/** Private (ephemeral) replies to the person who typed `/access …`. */
export interface Reply {
  text: string;
  blocks: Block[];
}

/** The subcommand list; `usages` come from the command table so help never drifts from what exists. */
export function helpReply(usages: readonly string[], problem?: string): Reply {
  const lines = [
    '*Keycard — access when you need it, gone when you don’t*',
    ...usages,
    'Durations are written `30m`, `2h`, `1d`; each resource has a default and a maximum.',
  ];
  const blocks = [...(problem ? [section(`⚠️ ${problem}`)] : []), ...(usages.length > 0 ? [section(lines.join('\n'))] : [])];
  return { text: plain(problem ?? 'Keycard commands'), blocks };
}

export function errorReply(message: string): Reply {
  return { text: plain(message), blocks: [section(`⚠️ ${message}`)] };
}

export function submittedReply(request: AccessRequest, autoApprovedBy: string | null): Reply {
  const what = `\`${request.resource}\` for ${durationWords(request.durationMs)}`;
  const body = autoApprovedBy
    ? `✅ Your request for ${what} was approved automatically by policy rule \`${autoApprovedBy}\`. I’ll message you when access is active.`
    : `📨 Requested ${what}. Waiting for ${request.requiredApprovals === 1 ? 'an approval' : `${request.requiredApprovals} approvals`} from ${mentionList(request.approverIds)}. I’ll message you when they decide; the request expires ${slackDate(request.expiresAt)} if nobody does.`;
  return { text: plain(body), blocks: [section(body), context(`Reason: ${escapeText(request.reason).slice(0, 300)}`)] };
}

export function myAccessReply(access: MyAccess): Reply {
  if (access.pending.length === 0 && access.grants.length === 0) {
    return { text: 'You have no pending requests and no active access.', blocks: [section('You have no pending requests and no active access. `/access` asks for some.')] };
  }
  const blocks: Block[] = [];
  if (access.grants.length > 0) {
    blocks.push(section('*Your access*'));
    for (const g of access.grants) {
      const state = g.status === 'active' ? `🟢 active until ${slackDate(g.expiresAt!)}` : g.status === 'pending' ? '⚙️ being granted' : '⚙️ ending';
      blocks.push(context(`\`${g.resource}\` as \`${escapeText(g.identity)}\` — ${state}`));
    }
  }
  if (access.pending.length > 0) {
    if (blocks.length > 0) blocks.push(divider());
    blocks.push(section('*Waiting for a decision*'));
    for (const r of access.pending) {
      blocks.push(context(`\`${r.resource}\` for ${durationWords(r.durationMs)} — asked ${slackDate(r.createdAt)}, waiting for ${mentionList(r.approverIds)}`));
    }
  }
  return { text: `${access.grants.length} active, ${access.pending.length} pending`, blocks };
}

export function cancelledReply(request: AccessRequest): Reply {
  const body = `🚫 Cancelled your request for \`${request.resource}\`. The approvers’ messages now say so.`;
  return { text: plain(body), blocks: [section(body)] };
}

export function breakGlassReply(request: AccessRequest): Reply {
  const body = `🚨 Break-glass on \`${request.resource}\` for ${durationWords(request.durationMs)}: access is being granted now. This was announced, and an owner must confirm it${request.confirmBy ? ` by ${slackDate(request.confirmBy)}` : ''} or it is revoked.`;
  return { text: plain(body), blocks: [section(body)] };
}

export function grantEndingReply(grant: Grant): Reply {
  const body = `⚙️ Ending access to \`${grant.resource}\` for <@${grant.holderId}> now; the holder is told when it is removed.`;
  return { text: plain(body), blocks: [section(body)] };
}
