import { formatDurationShort } from '../../domain/duration.js';
import type { AccessRequest, Grant } from '../../domain/types.js';
import { ACTION, BLOCK, VIEW } from '../ids.js';
import { context, plainText, section, type Block } from './blocks.js';
import { durationWords, escapeText, mention, slackDate } from './format.js';

export interface RequestableResource {
  name: string;
  description: string;
  defaultMs: number;
  maxMs: number;
}

export function requestableFrom(resources: ReadonlyArray<{ name: string; description: string; duration: { defaultMs: number; maxMs: number } }>): RequestableResource[] {
  return resources.map((r) => ({ name: r.name, description: r.description, defaultMs: r.duration.defaultMs, maxMs: r.duration.maxMs }));
}

/** Slack's limit for a static_select. */
const MAX_OPTIONS = 100;

/**
 * The request form: resource (only those this person may request), duration (the resource's default,
 * with its maximum as a hint), reason (required). Picking a resource re-renders the duration field.
 */
export function requestModal(
  resources: readonly RequestableResource[],
  selected?: string,
  /** From an earlier request ("Request again"): its duration (capped at today's maximum) and reason. */
  prefill: { durationMs?: number; reason?: string } = {},
): Record<string, unknown> {
  const chosen = resources.find((r) => r.name === selected);
  const option = (r: RequestableResource) => ({
    text: plainText(r.name.slice(0, 75)),
    description: plainText(r.description.slice(0, 75)),
    value: r.name,
  });
  const blocks: Block[] = [
    {
      type: 'input',
      block_id: BLOCK.resource,
      dispatch_action: true,
      label: plainText('What do you need access to?'),
      element: {
        type: 'static_select',
        action_id: ACTION.pickResource,
        placeholder: plainText('Choose a resource'),
        options: resources.slice(0, MAX_OPTIONS).map(option),
        ...(chosen ? { initial_option: option(chosen) } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.duration,
      label: plainText('For how long?'),
      hint: plainText(chosen ? `Up to ${durationWords(chosen.maxMs)}. Write 30m, 2h or 1d.` : 'Write 30m, 2h or 1d. Pick a resource to see its maximum.'),
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        placeholder: plainText('e.g. 1h'),
        ...(chosen ? { initial_value: formatDurationShort(Math.min(prefill.durationMs ?? chosen.defaultMs, chosen.maxMs)) } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.reason,
      label: plainText('Why do you need it?'),
      hint: plainText('Approvers read this, and it is kept in the audit log. A ticket or incident id helps.'),
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: 2_000,
        placeholder: plainText('e.g. investigating INC-42: checkout errors since 14:00'),
        ...(prefill.reason ? { initial_value: prefill.reason.slice(0, 2_000) } : {}),
      },
    },
  ];
  if (resources.length === 0) {
    return {
      type: 'modal',
      callback_id: VIEW.request,
      title: plainText('Request access'),
      close: plainText('Close'),
      blocks: [section('There is nothing you may request right now. Ask the resource owners if you think there should be.')],
    };
  }
  if (resources.length > MAX_OPTIONS) {
    blocks.push(context(`Showing the first ${MAX_OPTIONS} resources; use \`/access request <resource>\` for the others.`));
  }
  return {
    type: 'modal',
    callback_id: VIEW.request,
    title: plainText('Request access'),
    submit: plainText('Request'),
    close: plainText('Cancel'),
    blocks,
  };
}

/** The deny form: the reason reaches the requester. The request id rides along as metadata, never identity. */
export function denyModal(request: AccessRequest): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: VIEW.denyReason,
    private_metadata: request.id,
    title: plainText('Deny request'),
    submit: plainText('Deny'),
    close: plainText('Back'),
    blocks: [
      section(`Deny ${mention(request.requesterId)}’s request for \`${request.resource}\` (${durationWords(request.durationMs)})?\n>${escapeText(request.reason).slice(0, 500)}`),
      {
        type: 'input',
        block_id: BLOCK.denyReason,
        label: plainText('Why? The requester will see this.'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 1_000 },
      },
    ],
  };
}

/** More time on an active grant: how long, and (optionally) why. The grant id rides along as metadata. */
export function extendModal(grant: Grant, defaultMs: number): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: VIEW.extend,
    private_metadata: grant.id,
    title: plainText('Extend access'),
    submit: plainText('Ask'),
    close: plainText('Back'),
    blocks: [
      section(`Your access to \`${grant.resource}\` ends ${grant.expiresAt ? slackDate(grant.expiresAt) : 'soon'}. The same approvals apply as for a new request.`),
      {
        type: 'input',
        block_id: BLOCK.duration,
        label: plainText('How much more time?'),
        element: { type: 'plain_text_input', action_id: 'value', initial_value: formatDurationShort(defaultMs) },
      },
      {
        type: 'input',
        block_id: BLOCK.reason,
        optional: true,
        label: plainText('Why? (the original reason if empty)'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 2_000 },
      },
    ],
  };
}

/** Revoking someone's access: the reason reaches the holder and the audit log. */
export function revokeModal(grant: Grant): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: VIEW.revokeReason,
    private_metadata: grant.id,
    title: plainText('Revoke access'),
    submit: plainText('Revoke'),
    close: plainText('Back'),
    blocks: [
      section(`End ${mention(grant.holderId)}’s access to \`${grant.resource}\` now?`),
      {
        type: 'input',
        block_id: BLOCK.revokeReason,
        label: plainText('Why? The holder will see this.'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 1_000 },
      },
    ],
  };
}
