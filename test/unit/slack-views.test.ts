import { describe, expect, it } from 'vitest';
import { DomainError, type DomainErrorCode } from '../../src/domain/errors.js';
import type { Grant } from '../../src/domain/types.js';
import { ACTION } from '../../src/slack/ids.js';
import { parseTargetDurationReason } from '../../src/slack/listeners/parse-args.js';
import { domainErrorText } from '../../src/slack/views/errors.js';
import { escapeKeepingUserMentions, escapeText, quote, slackDate } from '../../src/slack/views/format.js';
import { denyModal, requestModal } from '../../src/slack/views/modals.js';
import { grantEndedNotice } from '../../src/slack/views/notices.js';
import { requestMessage, type RequestView } from '../../src/slack/views/request-message.js';
import { aRequest } from '../support/domain-builders.js';

const NOW = new Date('2026-12-01T09:10:00.000Z');

function aGrant(overrides: Partial<Grant> = {}): Grant {
  return {
    id: '7d1f2c3a-0000-4000-8000-000000000001',
    requestId: 'r',
    resource: 'prod-db-readonly',
    providerName: 'prod-pg',
    holderId: 'U0ANA',
    identity: 'ana',
    spec: { role: 'prod_readonly' },
    entitlementKey: 'k',
    status: 'active',
    durationMs: 3_600_000,
    activatedAt: NOW,
    expiresAt: new Date(NOW.getTime() + 3_600_000),
    endedAt: null,
    endReason: null,
    attempts: 0,
    nextAttemptAt: NOW,
    lastError: null,
    revokingSince: null,
    alertedAt: null,
    warnedAt: null,
    createdAt: NOW,
    ...overrides,
  };
}

const view = (overrides: Partial<RequestView> = {}): RequestView => ({
  request: aRequest(),
  description: 'Production database, read-only',
  grantSummary: 'role prod_readonly on prod-pg as ana',
  votes: [],
  grant: null,
  now: NOW,
  ...overrides,
});

const text = (blocks: unknown): string => JSON.stringify(blocks);
const buttons = (blocks: Array<Record<string, unknown>>) =>
  blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as Array<{ action_id: string; text: { text: string } }>);

describe('the request message', () => {
  it('tells an approver who, what, how long, why, when it would end, with Approve and Deny', () => {
    const { text: top, blocks } = requestMessage(view(), 'approver');
    const all = text(blocks);
    expect(all).toContain('<@U0ANA> requests access to `prod-db-readonly`');
    expect(all).toContain('1 hour');
    expect(all).toContain('investigating INC-1');
    expect(all).toContain('If approved now, ends');
    expect(all).toContain(slackDate(new Date(NOW.getTime() + 3_600_000)));
    expect(buttons(blocks).map((b) => [b.text.text, b.action_id])).toEqual([['Approve', ACTION.approve], ['Deny', ACTION.deny]]);
    expect(top).toMatch(/^Pending: Ana asked for prod-db-readonly for 1 hour: investigating INC-1$/);
  });

  it('shows N of M progress with the names of who approved', () => {
    const request = aRequest({ requiredApprovals: 2, approverIds: ['U0BOB', 'U0CY'] });
    const { blocks } = requestMessage(view({ request, votes: [{ requestId: request.id, approverId: 'U0BOB', vote: 'approve', reason: null, createdAt: NOW }] }), 'approver');
    expect(text(blocks)).toContain('1 of 2 approvals: <@U0BOB>');
  });

  it('drops the buttons and names the decider once decided', () => {
    const request = aRequest({ status: 'denied', decidedBy: 'U0BOB', decidedAt: NOW, decisionReason: 'use the replica' });
    const { blocks } = requestMessage(view({ request }), 'approver');
    expect(buttons(blocks)).toEqual([]);
    expect(text(blocks)).toContain('Denied* by <@U0BOB>');
    expect(text(blocks)).toContain('use the replica');
  });

  it('gives the requester Cancel while pending, then Extend and Release while active', () => {
    expect(buttons(requestMessage(view(), 'requester').blocks).map((b) => b.action_id)).toEqual([ACTION.cancel]);
    const approved = aRequest({ status: 'approved', decidedBy: 'U0BOB', decidedAt: NOW });
    const active = requestMessage(view({ request: approved, grant: aGrant() }), 'requester');
    expect(buttons(active.blocks).map((b) => b.action_id)).toEqual([ACTION.extend, ACTION.release]);
    expect(text(active.blocks)).toContain('Active* until');
  });

  it('escapes what a requester types, so a reason cannot ping a channel or inject markup', () => {
    const request = aRequest({ reason: 'hi <!channel> & <https://evil|click>' });
    const all = text(requestMessage(view({ request }), 'approver').blocks);
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
  });

  it('bounds a very long reason', () => {
    const request = aRequest({ reason: 'x'.repeat(10_000) });
    for (const block of requestMessage(view({ request }), 'approver').blocks) {
      expect(JSON.stringify(block).length).toBeLessThan(3_500);
    }
  });
});

describe('format helpers', () => {
  it('quotes every line and escapes it', () => {
    expect(quote('a <b>\nc')).toBe('>a &lt;b&gt;\n>c');
  });

  it('keeps Keycard’s own user mentions while escaping everything else', () => {
    expect(escapeKeepingUserMentions('revoked by <@U0CY>: <!here>')).toBe('revoked by <@U0CY>: &lt;!here&gt;');
    expect(escapeText('<@U0CY>')).toBe('&lt;@U0CY&gt;');
  });

  it('renders times in the reader’s zone with a UTC fallback', () => {
    expect(slackDate(new Date('2026-12-01T10:00:00Z'))).toBe('<!date^1796119200^{date_short_pretty} at {time}|2026-12-01 10:00 UTC>');
  });
});

describe('notices and modals', () => {
  it('says why access ended', () => {
    const ended = grantEndedNotice(aGrant({ status: 'revoked', endedAt: NOW, endReason: 'revoked by <@U0CY>: left the team' }));
    expect(text(ended.blocks)).toContain('revoked by <@U0CY>: left the team');
    expect(text(grantEndedNotice(aGrant({ status: 'revoked', endedAt: NOW, endReason: 'expired' })).blocks)).toContain('its window ended');
  });

  it('pre-fills the default duration and shows the maximum for the chosen resource', () => {
    const modal = requestModal([{ name: 'db', description: 'DB', defaultMs: 3_600_000, maxMs: 4 * 3_600_000 }], 'db') as { blocks: Array<Record<string, any>> };
    expect(modal.blocks[1]!.element.initial_value).toBe('1h');
    expect(modal.blocks[1]!.hint.text).toContain('Up to 4 hours');
  });

  it('explains an empty catalogue instead of showing an empty picker', () => {
    expect(text(requestModal([]))).toContain('nothing you may request');
  });

  it('carries only the request id in the deny form', () => {
    const request = aRequest();
    expect((denyModal(request) as { private_metadata: string }).private_metadata).toBe(request.id);
  });
});

describe('error texts', () => {
  const codes: DomainErrorCode[] = [
    'unknown_resource', 'invalid_duration', 'duration_too_long', 'duration_too_short', 'reason_required', 'reason_too_long', 'not_allowed_to_request',
    'unmapped_identity', 'duplicate_request', 'no_approvers', 'request_not_found', 'grant_not_found', 'already_decided', 'not_an_approver',
    'self_approval', 'already_voted', 'not_requester', 'not_holder', 'grant_not_active', 'not_authorized', 'break_glass_not_allowed',
    'extension_too_long', 'ambiguous_id',
  ];
  it.each(codes)('%s reads as a sentence', (code) => {
    const words = domainErrorText(new DomainError(code, 'x', { resource: 'db', input: '2x', maxMs: 3_600_000, minMs: 60_000, provider: 'pg', rule: 'email', status: 'approved', decidedBy: 'U0BOB', remainingMs: 1_800_000, id: 'abcd' }));
    expect(words).toMatch(/^[A-Z`<].{15,}[.?]$/s);
  });

  it('names who decided and when for a late click', () => {
    const words = domainErrorText(new DomainError('already_decided', 'x', { status: 'approved', decidedBy: 'U0BOB', decidedAt: NOW }));
    expect(words).toBe(`This request was already approved by <@U0BOB> ${slackDate(NOW)}. Nothing changed.`);
  });
});

describe('parseTargetDurationReason', () => {
  it('reads an optional duration after the target', () => {
    expect(parseTargetDurationReason('db 2h  fix   it')).toEqual({ target: 'db', duration: '2h', reason: 'fix   it' });
    expect(parseTargetDurationReason('db fix it')).toEqual({ target: 'db', duration: undefined, reason: 'fix it' });
  });

  it('treats a second word starting with a digit as a duration, so typos are reported', () => {
    expect(parseTargetDurationReason('db 2x fix')).toEqual({ target: 'db', duration: '2x', reason: 'fix' });
  });

  it('returns null for nothing', () => {
    expect(parseTargetDurationReason('   ')).toBeNull();
  });
});

describe('the Home tab', () => {
  it('says plainly when there is nothing, and always offers to request', async () => {
    const { homeView } = await import('../../src/slack/views/home.js');
    const empty = homeView({ grants: [], pending: [] }) as { type: string; blocks: Array<Record<string, unknown>> };
    expect(empty.type).toBe('home');
    expect(text(empty.blocks)).toContain('You hold no access through Keycard right now');
    expect(buttons(empty.blocks).map((b) => b.action_id)).toEqual([ACTION.homeRequest]);
  });

  it('lists pending requests with Cancel, and stays within Slack’s 100 blocks', async () => {
    const { homeView } = await import('../../src/slack/views/home.js');
    const pending = Array.from({ length: 80 }, () => aRequest());
    const view = homeView({ grants: [aGrant()], pending }) as { blocks: Array<Record<string, unknown>> };
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(buttons(view.blocks).map((b) => b.action_id).slice(0, 4)).toEqual([ACTION.homeRequest, ACTION.extend, ACTION.release, ACTION.cancel]);
  });
});
