import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { ADMIN_URL, postgresAvailable } from '../support/databases.js';
import { visibleText, type PostedMessage } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';
import { ACTION } from '../../src/slack/ids.js';
import { REVIEW_ACTION } from '../../src/slack/review-ids.js';

const available = await postgresAvailable();
const DAY = 86_400_000;
const REPORTS_TOKEN = 'reports-token-0123456789abcdef';

/** Access given outside Keycard, as a DBA would: GRANT straight on the server. */
async function grantByHand(role: string, member: string): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`GRANT "${role}" TO "${member}"`);
  } finally {
    await admin.end({ timeout: 1 });
  }
}

type Button = { action_id: string; value: string; text: { text: string } };

/** The reviewer's one message for the campaign in a DM (there is exactly one). */
function reviewMessageOf(h: Harness, userId: string): PostedMessage | undefined {
  const found = h.slack.messagesIn(userId).filter((m) => m.blocks.some((b) => b.type === 'header' && JSON.stringify(b).includes('Access review')));
  expect(found.length, `review messages to ${userId}`).toBeLessThanOrEqual(1);
  return found[0];
}

/** Items shown on a message: identity, its item id, and whether Keep/Revoke are offered. */
function itemsOf(message: PostedMessage | undefined): Array<{ identity: string; id: string; text: string; buttons: string[] }> {
  if (!message) return [];
  const out: Array<{ identity: string; id: string; text: string; buttons: string[] }> = [];
  message.blocks.forEach((block, i) => {
    const text = (block.text as { text?: string } | undefined)?.text ?? '';
    const identity = /^\*`([^`]+)`\*/.exec(text)?.[1];
    if (block.type !== 'section' || !identity) return;
    const next = message.blocks[i + 1]!;
    const buttons = next.type === 'actions' ? (next.elements as Button[]) : [];
    const id = buttons[0]?.value ?? '';
    out.push({ identity, id, text: `${text}\n${visibleText({ blocks: [next] })}`, buttons: buttons.map((b) => b.text.text) });
  });
  return out;
}

function pageButtons(message: PostedMessage): Button[] {
  return message.blocks.filter((b) => b.type === 'actions' && b.block_id === 'review_page').flatMap((b) => b.elements as Button[]);
}

function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), (i += 1);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\r') continue;
    else if (c === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''));
    else cell += c;
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((name, i) => [name, r[i] ?? ''])));
}

describe.skipIf(!available)('access review: campaign → reviewer DM → Keep / Revoke on real PostgreSQL → reminders → due → report; drift', () => {
  const h = new Harness();
  const roles: Record<string, string> = {};
  let campaignId: string;
  const reviewerOf = new Map<string, string>();
  const itemId = new Map<string, string>();

  const members = async () => {
    const found: string[] = [];
    for (const [name, role] of Object.entries(roles)) if (name !== 'ro' && (await h.hasRole(role, roles.ro!))) found.push(name);
    return found.sort();
  };

  beforeAll(async () => {
    roles.ro = await h.createRole('ro', false);
    for (const name of ['ana', 'bob', 'dan', 'eve', 'svc', 'frank']) roles[name] = await h.createRole(name, true);
    h.slack
      .addUser({ id: 'UADMIN', name: 'Ada Admin', email: 'ada@example.com' })
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: `${roles.ana}@example.com` })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: `${roles.bob}@example.com` })
      .addUser({ id: 'UCY', name: 'Cy Park', email: 'cy@example.com' });
    await h.start(
      `
settings:
  admins: [UADMIN]
  reconcile_every: 1h
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
groups:
  db-owners: [UBOB, UCY]
resources:
  prod-db-readonly:
    description: Production database, read-only
    provider: target-pg
    grant: { role: ${roles.ro} }
    owners: [group:db-owners]
    duration: { default: 1d, max: 30d }
    baseline: [${roles.svc}]
    on_drift: revoke
reviews:
  quarterly:
    description: Quarterly production access review
    schedule: "0 9 1 */3 *"
    timezone: Europe/Berlin
    resources: [prod-db-readonly]
    reviewer: owners
    due: 7d
    remind_every: 2d
    on_no_response: revoke
    report_channel: C0AUDIT
`,
      { REPORTS_TOKEN },
    );

    // Two holders through Keycard (Ana approved by Bob; Bob approved by Cy), three granted by hand.
    for (const [requester, approver, reason] of [
      ['UANA', 'UBOB', 'on-call for the payments service'],
      ['UBOB', 'UCY', 'schema migration INC-7'],
    ] as const) {
      await (await h.command(requester, `request prod-db-readonly 30d ${reason}`)).response;
      await h.eventually(async () => (await h.sql(`SELECT 1 FROM requests WHERE requester_id = '${requester}' AND status = 'pending'`)).length === 1, 'the request');
      const [request] = await h.sql<{ id: string }>(`SELECT id FROM requests WHERE requester_id = '${requester}'`);
      await (await h.click(approver, ACTION.approve, request!.id)).response;
      await h.eventually(async () => (await h.requestStatus(request!.id)) === 'approved', 'the approval');
    }
    await h.settle();
    for (const name of ['dan', 'eve', 'svc']) await grantByHand(roles.ro!, roles[name]!);
    expect(await members()).toEqual(['ana', 'bob', 'dan', 'eve', 'svc']);
  });
  afterAll(() => h.stop());

  it('lets only admins start a review, and says which reviews exist', async () => {
    const refused = h.command('UBOB', 'review start quarterly');
    await refused.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(refused.responseName)[0], 'refusal')).text).toMatch(/Only Keycard admins/);
    const unknown = h.command('UADMIN', 'review start quartely');
    await unknown.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(unknown.responseName)[0], 'unknown')).text).toMatch(/no review called `quartely`.*`quarterly`/);
    expect(await h.sql(`SELECT 1 FROM review_campaigns`)).toHaveLength(0);
    const refusals = await h.sql<{ actor: string }>(`SELECT actor FROM audit_events WHERE action = 'review.start_refused'`);
    expect(refusals.map((r) => r.actor).sort()).toEqual(['UADMIN', 'UBOB']);

    const started = h.command('UADMIN', 'review start quarterly');
    await started.response;
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(started.responseName)[0], 'started reply');
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/Started access review \*quarterly\*/);
    [{ id: campaignId }] = (await h.sql<{ id: string }>(`SELECT id FROM review_campaigns`)) as [{ id: string }];
  });

  it('reads every holder, standing access too, and sends each reviewer one message with evidence', async () => {
    await h.keycard.scheduler.runNow('build-review-campaigns');
    await h.settle();
    const bob = reviewMessageOf(h, 'UBOB');
    const cy = reviewMessageOf(h, 'UCY');
    const all = [...itemsOf(bob).map((i) => ({ ...i, reviewer: 'UBOB' })), ...itemsOf(cy).map((i) => ({ ...i, reviewer: 'UCY' }))];
    expect(all.map((i) => i.identity).sort()).toEqual(['ana', 'bob', 'dan', 'eve', 'svc'].map((n) => roles[n]).sort());
    for (const item of all) {
      const name = Object.keys(roles).find((n) => roles[n] === item.identity)!;
      reviewerOf.set(name, item.reviewer);
      itemId.set(name, item.id);
      expect(item.buttons).toEqual(['Keep', 'Revoke']);
    }
    // Nobody reviews their own access: Bob's item went to the other owner.
    expect(reviewerOf.get('bob')).toBe('UCY');
    const text = (name: string) => all.find((i) => i.identity === roles[name])!.text;
    expect(text('ana')).toMatch(/<@UANA>/);
    expect(text('ana')).toMatch(/Keycard grant since .* approved by <@UBOB> · “on-call for the payments service”/);
    expect(text('bob')).toMatch(/approved by <@UCY>/);
    expect(text('dan')).toMatch(/Not granted through Keycard/);
    expect(text('svc')).toMatch(/baseline/);
    const shown = [bob, cy].map((m) => (m ? visibleText(m) : '')).join('\n');
    expect(shown).toMatch(/0 of \d\*? decided/);
    expect(shown).toMatch(/items left undecided then are revoked/);
    for (const m of [bob, cy].filter(Boolean)) expect(pageButtons(m!).map((b) => b.text.text)).toContain('Keep all');
    const opened = await h.sql<{ data: { items: number } }>(`SELECT data FROM audit_events WHERE action = 'review.opened'`);
    expect(opened[0]!.data.items).toBe(5);
  });

  it('refuses a click on an item that is not yours, and on your own access, changing nothing', async () => {
    const danReviewer = reviewerOf.get('dan')!;
    const other = danReviewer === 'UBOB' ? 'UCY' : 'UBOB';
    const wrong = h.click(other, REVIEW_ACTION.revoke, itemId.get('dan')!);
    await wrong.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(wrong.responseName)[0], 'refusal')).text).toMatch(/assigned to another reviewer/);
    const own = h.click('UBOB', REVIEW_ACTION.keep, itemId.get('bob')!);
    await own.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(own.responseName)[0], 'self refusal')).text).toMatch(/Nobody reviews their own access/);
    const forged = h.click('UBOB', REVIEW_ACTION.keep, '999999999');
    await forged.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(forged.responseName)[0], 'unknown item')).text).toMatch(/no longer exists/);
    const decided = await h.sql(`SELECT 1 FROM review_items WHERE status <> 'pending'`);
    expect(decided).toHaveLength(0);
    const refused = await h.sql<{ actor: string; data: { code: string } }>(`SELECT actor, data FROM audit_events WHERE action = 'review.decision_refused' ORDER BY id`);
    expect(refused.map((r) => r.data.code)).toEqual(['not_your_review_item', 'self_review', 'review_not_found']);
  });

  it('keeps one and revokes one: the revoked role is really gone from PostgreSQL, and the message shows progress', async () => {
    await (await h.click(reviewerOf.get('ana')!, REVIEW_ACTION.keep, itemId.get('ana')!)).response;
    await (await h.click(reviewerOf.get('svc')!, REVIEW_ACTION.keep, itemId.get('svc')!)).response;
    await (await h.click(reviewerOf.get('dan')!, REVIEW_ACTION.revoke, itemId.get('dan')!)).response;
    await h.eventually(async () => (await h.sql(`SELECT 1 FROM review_items WHERE status <> 'pending'`)).length === 3, 'three decisions');
    await h.keycard.scheduler.runNow('revoke-standing-access'); // also woken by the click; runs once at a time
    await h.settle();
    expect(await members()).toEqual(['ana', 'bob', 'eve', 'svc']);
    const [dan] = await h.sql<{ status: string; decided_by: string }>(`SELECT status, decided_by FROM review_items WHERE id = ${itemId.get('dan')}`);
    expect(dan).toEqual({ status: 'revoked', decided_by: reviewerOf.get('dan') });

    const danMessage = reviewMessageOf(h, reviewerOf.get('dan')!)!;
    expect(danMessage.updates).toBeGreaterThan(0);
    const danItem = itemsOf(danMessage).find((i) => i.identity === roles.dan)!;
    expect(danItem.buttons).toEqual([]);
    expect(danItem.text).toMatch(/Revoked\*.*by <@U/);
    const anaItem = itemsOf(reviewMessageOf(h, reviewerOf.get('ana')!)).find((i) => i.identity === roles.ana)!;
    expect(anaItem.text).toMatch(/Kept\* — by <@U/);
    const progress = ['UBOB', 'UCY'].map((u) => visibleText(reviewMessageOf(h, u)!)).join('\n');
    expect(progress).toMatch(/decided/);
    const actions = (await h.sql<{ action: string }>(`SELECT action FROM audit_events ORDER BY id`)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['review.item_kept', 'review.item_revoke_requested', 'review.item_revoked']));
    // The holder of standing access hears nothing (unknown person); a second click on a decided item is told so.
    const again = h.click(reviewerOf.get('ana')!, REVIEW_ACTION.revoke, itemId.get('ana')!);
    await again.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(again.responseName)[0], 'decided reply')).text).toMatch(/already kept by <@U/);
  });

  it('reminds reviewers who still have items, every remind_every', async () => {
    h.clock.advance(2 * DAY + 60_000);
    await h.keycard.scheduler.runNow('advance-review-campaigns');
    await h.settle();
    const pendingReviewers = new Set(['bob', 'eve'].map((n) => reviewerOf.get(n)!));
    for (const reviewer of ['UBOB', 'UCY']) {
      const reminders = h.slack.messagesIn(reviewer).filter((m) => /Reminder/.test(m.text));
      expect(reminders.length, reviewer).toBe(pendingReviewers.has(reviewer) ? 1 : 0);
      if (reminders[0]) expect(visibleText(reminders[0])).toMatch(/still need your decision, due/);
    }
    await h.keycard.scheduler.runNow('advance-review-campaigns'); // same round: nothing more
    await h.settle();
    const total = ['UBOB', 'UCY'].flatMap((r) => h.slack.messagesIn(r)).filter((m) => /Reminder/.test(m.text)).length;
    expect(total).toBe(pendingReviewers.size);
  });

  it('at due revokes what nobody answered (the Keycard grant ends too), closes and posts the report', async () => {
    h.clock.advance(5 * DAY);
    await h.keycard.scheduler.runNow('advance-review-campaigns');
    const [campaign] = await h.sql<{ status: string }>(`SELECT status FROM review_campaigns`);
    expect(['closing', 'closed']).toContain(campaign!.status);
    await h.keycard.scheduler.runNow('revoke-standing-access');
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.keycard.scheduler.runNow('advance-review-campaigns');
    await h.settle();
    expect(await members()).toEqual(['ana', 'svc']);
    const items = await h.sql<{ identity: string; status: string; unanswered: boolean; decided_by: string }>(`SELECT identity, status, unanswered, decided_by FROM review_items ORDER BY identity`);
    expect(items.filter((i) => i.unanswered).map((i) => i.identity).sort()).toEqual([roles.bob, roles.eve].sort());
    expect(items.filter((i) => i.unanswered).every((i) => i.status === 'revoked' && i.decided_by === 'system')).toBe(true);
    const [bobGrant] = await h.sql<{ status: string; end_reason: string }>(`SELECT g.status, g.end_reason FROM grants g WHERE g.holder_id = 'UBOB'`);
    expect(bobGrant).toEqual({ status: 'revoked', end_reason: 'revoked in review quarterly' });
    expect(h.slack.messagesIn('UBOB').map(visibleText).join('\n')).toMatch(/access to `prod-db-readonly` \*ended\*/);

    const [closed] = await h.sql<{ status: string }>(`SELECT status FROM review_campaigns`);
    expect(closed!.status).toBe('closed');
    const [report] = h.slack.messagesIn('C0AUDIT');
    expect(report).toBeDefined();
    const reportText = visibleText(report!);
    expect(reportText).toMatch(/\*Items\*\n5/);
    expect(reportText).toMatch(/\*Kept\*\n2/);
    expect(reportText).toMatch(/\*Revoked\*\n3/);
    expect(reportText).toMatch(/\*Unanswered\*\n2/);
    expect(reportText).toMatch(/Time to complete/);
    expect(h.slack.messagesIn('UADMIN').some((m) => /Access review quarterly closed/.test(m.text))).toBe(true);
    for (const reviewer of ['UBOB', 'UCY']) expect(visibleText(reviewMessageOf(h, reviewer)!)).toMatch(/This review is closed/);
  });

  it('refuses a click on a closed campaign, changing nothing', async () => {
    const late = h.click(reviewerOf.get('eve')!, REVIEW_ACTION.keep, itemId.get('eve')!);
    await late.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(late.responseName)[0], 'closed reply')).text).toMatch(/This review is closed/);
    const [eve] = await h.sql<{ status: string }>(`SELECT status FROM review_items WHERE id = ${itemId.get('eve')}`);
    expect(eve!.status).toBe('revoked');
  });

  it('exports the decisions as CSV and JSON over the authenticated endpoint', async () => {
    const url = (file: string) => `http://127.0.0.1:${h.keycard.port}/api/v1/reviews/${campaignId}/${file}`;
    expect((await fetch(url('report.csv'))).status).toBe(401);
    expect((await fetch(url('report.csv'), { headers: { authorization: 'Bearer wrong-token-wrong-token-000' } })).status).toBe(401);
    expect((await fetch(url('report.xml'), { headers: { authorization: `Bearer ${REPORTS_TOKEN}` } })).status).toBe(404);
    const missing = await fetch(`http://127.0.0.1:${h.keycard.port}/api/v1/reviews/00000000-0000-4000-8000-000000000000/report.csv`, { headers: { authorization: `Bearer ${REPORTS_TOKEN}` } });
    expect(missing.status).toBe(404);
    expect((await missing.json()).message).toMatch(/No review campaign/);

    const csv = await fetch(url('report.csv'), { headers: { authorization: `Bearer ${REPORTS_TOKEN}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = parseCsv(await csv.text());
    const byName = (name: string) => rows.find((r) => r.identity === roles[name])!;
    expect(rows).toHaveLength(5);
    expect(byName('ana')).toMatchObject({ decision: 'keep', status: 'kept', decided_by: reviewerOf.get('ana'), unanswered: 'false', provenance: 'grant', holder: 'UANA', granted_by: 'UBOB', grant_reason: 'on-call for the payments service' });
    expect(byName('svc')).toMatchObject({ decision: 'keep', status: 'kept', provenance: 'baseline' });
    expect(byName('dan')).toMatchObject({ decision: 'revoke', status: 'revoked', decided_by: reviewerOf.get('dan'), unanswered: 'false', provenance: 'unknown', holder: '' });
    for (const name of ['bob', 'eve']) expect(byName(name)).toMatchObject({ decision: 'revoke', status: 'revoked', decided_by: 'system', unanswered: 'true' });
    expect(byName('bob').reviewer).toBe('UCY');
    expect(byName('dan').revoked_at).toMatch(/^\d{4}-/);

    const json = (await (await fetch(url('report.json'), { headers: { authorization: `Bearer ${REPORTS_TOKEN}` } })).json()) as { campaign: Record<string, unknown>; items: unknown[] };
    expect(json.campaign).toMatchObject({ review: 'quarterly', total: 5, kept: 2, revoked: 3, unanswered: 2, pending: 0, status: 'closed' });
    expect(json.campaign.timeToCompleteMs).toBeGreaterThanOrEqual(7 * DAY);
    expect(json.items).toHaveLength(5);
    const audit = (await h.sql<{ action: string; actor: string }>(`SELECT action, actor FROM audit_events WHERE action LIKE 'review.report%' ORDER BY id`)).map((r) => `${r.action}:${r.actor}`);
    expect(audit).toContain('review.report_exported:api:reports');
    expect(audit).toContain('review.report_refused:unauthenticated');
  });

  it('finds a role granted by hand (drift), tells the owners and removes it under on_drift: revoke', async () => {
    await grantByHand(roles.ro!, roles.frank!);
    h.clock.advance(60 * 60_000);
    await h.keycard.scheduler.runNow('reconcile-drift');
    await h.settle();
    const findings = await h.sql<{ identity: string; status: string; action: string }>(`SELECT identity, status, action FROM drift_findings`);
    expect(findings.map((f) => [f.identity, f.action])).toEqual([[roles.frank, 'revoke']]); // ana: a grant; svc: baseline and kept
    for (const owner of ['UBOB', 'UCY']) {
      const notice = h.slack.messagesIn(owner).find((m) => /Keycard did not grant/.test(m.text));
      expect(notice, owner).toBeDefined();
      expect(visibleText(notice!)).toContain(roles.frank);
      expect(visibleText(notice!)).toMatch(/being removed/);
    }
    await h.keycard.scheduler.runNow('revoke-standing-access');
    expect(await members()).toEqual(['ana', 'svc']);
    const [finding] = await h.sql<{ status: string }>(`SELECT status FROM drift_findings`);
    expect(finding!.status).toBe('revoked');
    const actions = (await h.sql<{ action: string }>(`SELECT action FROM audit_events WHERE action LIKE 'drift.%' ORDER BY id`)).map((r) => r.action);
    expect(actions).toEqual(['drift.detected', 'drift.checked', 'drift.revoked']);

    // The same window does not run twice; the next finds nothing new.
    await h.keycard.scheduler.runNow('reconcile-drift');
    expect(await h.sql(`SELECT 1 FROM drift_runs`)).toHaveLength(1);
    h.clock.advance(60 * 60_000);
    await h.keycard.scheduler.runNow('reconcile-drift');
    expect(await h.sql(`SELECT 1 FROM drift_findings`)).toHaveLength(1);
  });
});
