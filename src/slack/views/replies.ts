import type { AccessRequest } from '../../domain/types.js';
import type { MyAccess } from '../../services/list-my-access.js';
import { context, divider, section, type Block } from './blocks.js';
import { durationWords, escapeText, mentionList, plain, slackDate } from './format.js';

/** Private (ephemeral) replies to the person who typed `/access …`. */
export interface Reply {
  text: string;
  blocks: Block[];
}

export function helpReply(problem?: string): Reply {
  const lines = [
    '*Keycard — access when you need it, gone when you don’t*',
    '`/access` — open the request form',
    '`/access request <resource> [duration] <reason…>` — ask for access, e.g. `/access request prod-db-readonly 1h investigating INC-42`',
    '`/access list` — your pending requests and active access',
    '`/access help` — this list',
    'Durations are written `30m`, `2h`, `1d`; each resource has a default and a maximum.',
  ];
  return { text: plain(problem ?? 'Keycard commands'), blocks: [...(problem ? [section(`⚠️ ${escapeText(problem)}`)] : []), section(lines.join('\n'))] };
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
