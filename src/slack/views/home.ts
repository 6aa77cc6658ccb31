import type { MyAccess } from '../../services/list-my-access.js';
import { ACTION, BLOCK } from '../ids.js';
import { actions, button, context, divider, header, section, type Block } from './blocks.js';
import { durationWords, escapeText, mentionList, slackDate } from './format.js';

/** Slack allows 100 blocks in a Home tab; each item takes two. */
const MAX_ITEMS = 40;

/**
 * The App Home tab: "My access". What the person holds (with Extend and Release), what is waiting for
 * a decision (with Cancel), and a way to ask for more — without typing a command.
 */
export function homeView(access: MyAccess): Record<string, unknown> {
  const blocks: Block[] = [
    header('My access'),
    actions(BLOCK.home, [button({ text: 'Request access', actionId: ACTION.homeRequest, value: 'new', style: 'primary', accessibilityLabel: 'Open the request form' })]),
    divider(),
  ];
  if (access.grants.length === 0 && access.pending.length === 0) {
    blocks.push(section('You hold no access through Keycard right now, and nothing is waiting for a decision.'));
  }
  if (access.grants.length > 0) blocks.push(section('*What you hold*'));
  for (const grant of access.grants.slice(0, MAX_ITEMS)) {
    const state =
      grant.status === 'active' ? `🟢 active until ${slackDate(grant.expiresAt!)}` : grant.status === 'pending' ? '⚙️ being granted' : '⚙️ ending now';
    blocks.push(section(`\`${grant.resource}\` as \`${escapeText(grant.identity)}\` — ${state}`));
    if (grant.status === 'active') {
      blocks.push(
        actions(`${BLOCK.home}:${grant.id}`, [
          button({ text: 'Extend', actionId: ACTION.extend, value: grant.id, accessibilityLabel: `Ask for more time on ${grant.resource}` }),
          button({ text: 'Release', actionId: ACTION.release, value: grant.id, style: 'danger', accessibilityLabel: `End your access to ${grant.resource} now` }),
        ]),
      );
    }
  }
  if (access.pending.length > 0) blocks.push(divider(), section('*Waiting for a decision*'));
  for (const request of access.pending.slice(0, MAX_ITEMS)) {
    blocks.push(
      section(`\`${request.resource}\` for ${durationWords(request.durationMs)} — asked ${slackDate(request.createdAt)}, waiting for ${mentionList(request.approverIds)}`),
      actions(`${BLOCK.home}:${request.id}`, [button({ text: 'Cancel request', actionId: ACTION.cancel, value: request.id, accessibilityLabel: `Cancel your request for ${request.resource}` })]),
    );
  }
  blocks.push(context('Updated each time you open this tab. `/access help` lists every command.'));
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
