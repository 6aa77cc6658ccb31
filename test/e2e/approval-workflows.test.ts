import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { buttonsOf, visibleText } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';
import { ACTION } from '../../src/slack/ids.js';

const available = await postgresAvailable();


describe.skipIf(!available)('approval workflows: N of M, channel routing, auto-approval, reminders, escalation, cancel', () => {
  const h = new Harness();
  let role: string;
  let ana: string;

  beforeAll(async () => {
    role = await h.createRole('ro', false);
    ana = await h.createRole('ana', true);
    h.slack
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' })
      .addUser({ id: 'UCY', name: 'Cy Park', email: 'cy@example.com' })
      .addUser({ id: 'UDEE', name: 'Dee Boss', email: 'dee@example.com' })
      .setUsergroup('S0DBA', ['UBOB', 'UCY'])
      .setUsergroup('S0ONCALL', ['UANA']);
    await h.start(`
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
groups:
  dbas: [usergroup:S0DBA]
resources:
  two-key:
    description: Needs two approvers
    provider: target-pg
    grant: { role: ${role} }
    owners: [group:dbas]
    approvers: [owners]
    approvals: 2
    approval_channel: C0DBREQ
    duration: { default: 1h, max: 4h }
    remind_after: 30m
    escalate_after: 2h
    escalate_to: [UDEE]
  oncall-auto:
    provider: target-pg
    grant: { role: ${role} }
    owners: [UBOB]
    duration: { default: 30m, max: 2h }
    auto_approve:
      - name: oncall-office-hours
        requester_in: [usergroup:S0ONCALL]
        max_duration: 1h
        when: { days: [mon, tue, wed, thu, fri, sat, sun], between: "00:00-24:00", timezone: Europe/Berlin }
        announce: C0AUDIT
`);
  });
  afterAll(() => h.stop());

  let twoKey: string;

  it('posts to the approval channel and DMs each approver from the user group', async () => {
    await (await h.command('UANA', 'request two-key 1h needs two keys')).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests`)).length === 1, 'the request');
    await h.settle();
    for (const channel of ['UBOB', 'UCY', 'C0DBREQ']) {
      const [copy] = h.slack.messagesIn(channel);
      expect(copy, channel).toBeDefined();
      expect(buttonsOf(copy!).map((b) => b.text.text)).toEqual(['Approve', 'Deny']);
      twoKey = buttonsOf(copy!)[0]!.value;
    }
    expect(visibleText(h.slack.messagesIn('C0DBREQ')[0]!)).toMatch(/needs 2 approvals from <@UBOB> or <@UCY>/);
  });

  it('counts one approval, updates every copy, and decides on the second distinct approver', async () => {
    const first = h.click('UBOB', ACTION.approve, twoKey);
    await first.response;
    const recorded = await h.slack.waitFor(() => h.slack.responsesTo(first.responseName)[0], 'first vote reply');
    expect(recorded.text).toMatch(/1 of 2/);
    await h.settle();
    for (const channel of ['UBOB', 'UCY', 'C0DBREQ']) {
      expect(visibleText(h.slack.messagesIn(channel)[0]!)).toMatch(/1 of 2 approvals: <@UBOB>/);
    }
    expect(await h.requestStatus(twoKey)).toBe('pending');

    const again = h.click('UBOB', ACTION.approve, twoKey);
    await again.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(again.responseName)[0], 'repeat vote')).text).toMatch(/already voted/);

    await (await h.click('UCY', ACTION.approve, twoKey)).response;
    await h.eventually(async () => (await h.requestStatus(twoKey)) === 'approved', 'approval');
    await h.settle();
    expect(await h.hasRole(ana, role)).toBe(true);
    for (const channel of ['UBOB', 'UCY', 'C0DBREQ']) {
      const copy = h.slack.messagesIn(channel)[0]!;
      expect(buttonsOf(copy)).toEqual([]);
      expect(visibleText(copy)).toMatch(/Approved\* by <@UBOB> and <@UCY>/);
    }
  });

  it('auto-approves by a rule inside its time window, tells only the requester and the announce channel', async () => {
    const before = h.slack.calls.length;
    await (await h.command('UANA', 'request oncall-auto 45m paged for INC-9')).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests WHERE resource = 'oncall-auto' AND status = 'approved'`)).length === 1, 'auto-approval');
    await h.settle();
    const [row] = await h.sql<{ auto_approved_by: string }>(`SELECT auto_approved_by FROM requests WHERE resource = 'oncall-auto'`);
    expect(row!.auto_approved_by).toBe('oncall-office-hours');
    const posted = h.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage').map((c) => String(c.args.channel));
    expect(posted).not.toContain('UBOB'); // the owner is not bothered
    expect(posted).toContain('C0AUDIT');
    expect(visibleText(h.slack.messagesIn('C0AUDIT')[0]!)).toMatch(/automatically by policy rule `oncall-office-hours`/);
  });

  it('asks approvers when the request is longer than the rule allows', async () => {
    await (await h.command('UANA', 'cancel oncall-auto')).response; // nothing pending: a clear refusal
    const { responseName, response } = h.command('UANA', 'request oncall-auto 2h long investigation');
    await response;
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'reply');
    expect(reply.text).toMatch(/Waiting for an approval from <@UBOB>/);
  });

  it('cancels a pending request from the requester’s own copy, and every approver copy says so', async () => {
    await h.settle();
    const [pending] = await h.sql<{ id: string }>(`SELECT id FROM requests WHERE resource = 'oncall-auto' AND status = 'pending'`);
    const stranger = h.click('UBOB', ACTION.cancel, pending!.id);
    await stranger.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(stranger.responseName)[0], 'stranger cancel')).text).toMatch(/Only the person who asked/);

    await (await h.click('UANA', ACTION.cancel, pending!.id)).response;
    await h.eventually(async () => (await h.requestStatus(pending!.id)) === 'cancelled', 'cancel');
    await h.settle();
    const copy = h.slack.messagesIn('UBOB').find((m) => visibleText(m).includes('long investigation'))!;
    expect(visibleText(copy)).toMatch(/Cancelled\* by <@UANA>/);
    expect(buttonsOf(copy)).toEqual([]);

    const late = h.click('UBOB', ACTION.approve, pending!.id);
    await late.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(late.responseName)[0], 'approve cancelled')).text).toMatch(/already cancelled by <@UANA>/);
  });

  it('reminds approvers once in the thread, then escalates to escalate_to, who may then approve', async () => {
    await (await h.command('UANA', 'request two-key 1h weekly report')).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests WHERE reason = 'weekly report'`)).length === 1, 'second two-key request');
    await h.settle();
    const [request] = await h.sql<{ id: string }>(`SELECT id FROM requests WHERE reason = 'weekly report'`);

    h.clock.advance(31 * 60_000);
    await h.keycard.scheduler.runNow('remind-and-escalate');
    await h.keycard.scheduler.runNow('remind-and-escalate');
    await h.settle();
    const reminders = h.slack.callsOf('chat.postMessage').filter((c) => String(c.args.text).startsWith('Reminder'));
    expect(reminders.map((c) => c.args.channel).sort()).toEqual(['C0DBREQ', 'UBOB', 'UCY']); // once each, though the job ran twice
    expect(reminders.every((c) => c.args.thread_ts)).toBe(true);
    // In the shared channel the approvers are named; in their own DMs they need not be.
    const inChannel = JSON.stringify(reminders.find((c) => c.args.channel === 'C0DBREQ')!.args.blocks);
    expect(inChannel).toContain('<@UBOB> or <@UCY>: Still waiting');
    expect(JSON.stringify(reminders.find((c) => c.args.channel === 'UBOB')!.args.blocks)).not.toContain('<@UBOB>');

    h.clock.advance(2 * 3_600_000);
    await h.keycard.scheduler.runNow('remind-and-escalate');
    await h.settle();
    const [escalated] = h.slack.messagesIn('UDEE');
    expect(buttonsOf(escalated!).map((b) => b.text.text)).toEqual(['Approve', 'Deny']);
    await (await h.click('UDEE', ACTION.approve, request!.id)).response;
    await (await h.click('UBOB', ACTION.approve, request!.id)).response;
    await h.eventually(async () => (await h.requestStatus(request!.id)) === 'approved', 'approved after escalation');
  });
});
