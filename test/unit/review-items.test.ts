import { describe, expect, it } from 'vitest';
import type { LatestGrant } from '../../src/domain/review-rules.js';
import type { Resource } from '../../src/policy/policy.js';
import { holderOf, reviewItemRows } from '../../src/services/review-item-rows.js';
import { escalationLists, type ReviewerPool } from '../../src/services/review-people.js';
import type { ReviewItemRow } from '../../src/store/review-items-repo.js';
import type { ReviewerView } from '../../src/services/describe-review.js';
import { reviewMessage } from '../../src/slack/views/review-message.js';
import { REVIEW_ACTION } from '../../src/slack/review-ids.js';
import { samplePolicy } from '../support/policy-fixtures.js';

const resource: Resource = { ...samplePolicy().resources['prod-db-readonly']!, baseline: ['svc'] };
const pool = (over: Partial<ReviewerPool> = {}): ReviewerPool => ({ byRule: ['UBOB', 'UCY'], owners: ['UBOB', 'UCY'], admins: ['UADM'], byManager: false, ...over });
const grant = (holderId: string, status = 'active'): LatestGrant & { holderId: string } => ({
  id: `g-${holderId}`,
  holderId,
  status,
  grantedAt: new Date('2026-11-01T00:00:00Z'),
  approvedBy: 'UCY',
  reason: 'on call',
  endedAt: status === 'revoked' ? new Date('2026-11-02T00:00:00Z') : null,
});

describe('review items: provenance, holder and reviewer per holder', () => {
  it('reroutes an owner’s own access to another owner, and uses the manager where the directory knows one', () => {
    const rows = reviewItemRows({
      campaignId: 'c',
      resource,
      identities: ['bob', 'ana', 'dan'],
      evidence: { latest: new Map([['bob', grant('UBOB')]]), holders: new Map([['ana', 'UANA']]), managers: new Map([['UANA', 'UMGR']]) },
      identityRule: undefined,
      pool: pool({ byRule: [], byManager: true }),
    });
    const by = Object.fromEntries(rows.map((r) => [r.identity, r]));
    expect(by.bob).toMatchObject({ holderId: 'UBOB', reviewerId: 'UCY', provenance: 'grant', grantedBy: 'UCY', grantReason: 'on call' });
    expect(by.ana).toMatchObject({ holderId: 'UANA', reviewerId: 'UMGR', provenance: 'unknown', grantId: null });
    // Unknown person, unknown manager: an owner reviews it.
    expect(['UBOB', 'UCY']).toContain(by.dan!.reviewerId);
    expect(by.dan).toMatchObject({ holderId: null, provenance: 'unknown' });
  });

  it('marks baseline holders and keeps the last grant’s evidence when it has ended', () => {
    const [svc, old] = reviewItemRows({
      campaignId: 'c',
      resource,
      identities: ['svc', 'old'],
      evidence: { latest: new Map([['old', grant('UOLD', 'revoked')]]), holders: new Map(), managers: new Map() },
      identityRule: undefined,
      pool: pool(),
    });
    expect(svc!.provenance).toBe('baseline');
    expect(old).toMatchObject({ provenance: 'unknown', holderId: 'UOLD', grantEndedAt: new Date('2026-11-02T00:00:00Z') });
  });

  it('finds the person behind an identity through the provider’s explicit map or Slack user ids', () => {
    const none = { latest: new Map(), holders: new Map() };
    expect(holderOf('ext_jo', none, { from: 'email_local_part', map: { U0JO: 'ext_jo' } })).toBe('U0JO');
    expect(holderOf('U0ANA', none, { from: 'slack_user_id' })).toBe('U0ANA');
    expect(holderOf('U0ANA', none, undefined)).toBeNull();
    expect(holderOf('ana', { latest: new Map(), holders: new Map([['ana', 'UANA']]) }, undefined)).toBe('UANA');
  });

  it('escalates up a level: a group member’s items to owners, an owner’s to admins, else another owner', () => {
    expect(escalationLists(pool(), 'UGROUP')).toEqual([['UBOB', 'UCY'], ['UADM']]);
    expect(escalationLists(pool(), 'UBOB')).toEqual([['UADM'], ['UCY']]);
    expect(escalationLists(pool({ admins: ['UBOB'] }), 'UBOB')).toEqual([[], ['UCY']]);
  });
});

function item(id: number, over: Partial<ReviewItemRow> = {}): ReviewItemRow {
  return {
    id,
    campaignId: 'c0ffee00-0000-4000-8000-000000000000',
    resource: 'prod-db-readonly',
    providerName: 'prod-pg',
    identity: `user${id}`,
    spec: { role: 'ro' },
    holderId: null,
    provenance: 'unknown',
    grantId: null,
    grantedAt: null,
    grantedBy: null,
    grantReason: null,
    grantEndedAt: null,
    reviewerId: 'UBOB',
    status: 'pending',
    decision: null,
    decidedBy: null,
    decidedAt: null,
    unanswered: false,
    escalated: false,
    revokedAt: null,
    ...over,
  };
}

function view(items: ReviewItemRow[], over: Partial<ReviewerView> & { status?: 'open' | 'closing' | 'closed' } = {}): ReviewerView {
  const now = new Date('2026-12-01T09:00:00Z');
  return {
    campaign: {
      id: 'c0ffee00-0000-4000-8000-000000000000', reviewName: 'quarterly', windowKey: 'w', trigger: 'schedule', startedBy: 'system', status: over.status ?? 'open',
      resources: ['prod-db-readonly'], reviewer: 'owners', onNoResponse: 'revoke', reportChannel: null, createdAt: now, openedAt: now, dueAt: new Date(now.getTime() + 7 * 86_400_000),
      remindEveryMs: null, nextReminderAt: null, remindersSent: 0, dueAppliedAt: null, escalatedAt: null, decidedAt: null, closedAt: null, itemCount: 25, lastError: null, leaseOwner: null, leaseUntil: null,
    },
    description: 'quarterly',
    reviewerId: 'UBOB',
    counts: { total: 25, pending: 20, kept: 3, revoking: 1, revoked: 1, unanswered: 0 },
    page: 1,
    pages: 3,
    items,
    posted: null,
    ...over,
  };
}

describe('reviewer message (Block Kit)', () => {
  const now = new Date('2026-12-01T09:00:00Z');
  const page = Array.from({ length: 10 }, (_, i) => item(11 + i, i === 0 ? { status: 'kept', decision: 'keep', decidedBy: 'UBOB', decidedAt: now } : {}));
  const buttons = (blocks: Array<Record<string, unknown>>) => blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as Array<{ action_id: string; value: string; text: { text: string }; confirm?: unknown }>);

  it('fits a full page in Slack’s 50-block limit with Keep/Revoke per undecided item and page controls', () => {
    const message = reviewMessage(view(page), now);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const all = buttons(message.blocks);
    expect(all.filter((b) => b.action_id === REVIEW_ACTION.keep)).toHaveLength(9);
    expect(all.filter((b) => b.action_id === REVIEW_ACTION.revoke).map((b) => b.text.text)).toEqual(Array(9).fill('Revoke'));
    const keepAll = all.find((b) => b.action_id === REVIEW_ACTION.keepPage)!;
    expect(keepAll.value.split(',')).toHaveLength(9); // only the undecided ones
    expect(all.find((b) => b.action_id === REVIEW_ACTION.revokePage)!.confirm).toBeDefined();
    expect(all.find((b) => b.action_id === REVIEW_ACTION.previousPage)!.value).toMatch(/:0$/);
    expect(all.find((b) => b.action_id === REVIEW_ACTION.nextPage)!.value).toMatch(/:2$/);
    expect(JSON.stringify(message.blocks)).toMatch(/Page 2 of 3 · items 11–20 of 25/);
    expect(message.text).toMatch(/20 of 25 items need your decision/);
  });

  it('shows no decision buttons once the campaign stops taking decisions, but still lets you page', () => {
    const message = reviewMessage(view(page, { status: 'closed' }), now);
    const ids = buttons(message.blocks).map((b) => b.action_id);
    expect(ids).toEqual([REVIEW_ACTION.previousPage, REVIEW_ACTION.nextPage]);
    expect(JSON.stringify(message.blocks)).toMatch(/This review is closed/);
  });

  it('escapes identities and reasons from outside, so they cannot mention a channel or break formatting', () => {
    const message = reviewMessage(view([item(1, { identity: '<!channel>', grantReason: '<@U0EVIL> *now*', grantedBy: 'UCY', grantedAt: now, provenance: 'grant' })]), now);
    // mrkdwn is where Slack reads mentions; plain_text (button labels) is shown as written.
    const mrkdwn: string[] = [];
    JSON.stringify(message.blocks, (_key, value: { type?: string; text?: unknown }) => {
      if (value && value.type === 'mrkdwn' && typeof value.text === 'string') mrkdwn.push(value.text);
      return value;
    });
    const text = mrkdwn.join('\n');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&lt;@U0EVIL&gt;');
  });
});
