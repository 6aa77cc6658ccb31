import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { buttonsOf, visibleText } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';
import { ACTION, BLOCK, VIEW } from '../../src/slack/ids.js';
import { sendEvent } from '../support/slack-requests.js';

const available = await postgresAvailable();


describe.skipIf(!available)('after approval: extension, release, admin revoke, break-glass, overlap', () => {
  const h = new Harness();
  let role: string;
  let ana: string;

  beforeAll(async () => {
    role = await h.createRole('ro', false);
    ana = await h.createRole('ana', true);
    h.slack
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' })
      .addUser({ id: 'UCY', name: 'Cy Park', email: 'cy@example.com' });
    await h.start(`
settings:
  admins: [UCY]
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
resources:
  db:
    provider: target-pg
    grant: { role: ${role} }
    owners: [UBOB]
    duration: { default: 1h, max: 2h, max_total: 3h }
    auto_approve:
      - { name: short-ones, max_duration: 30m }
    break_glass: { notify: C0SEC, max: 1h, confirm_within: 30m }
`);
  });
  afterAll(() => h.stop());

  async function approvedGrant(text: string): Promise<{ requestId: string; grantId: string }> {
    await (await h.command('UANA', text)).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests WHERE status = 'pending'`)).length === 1, 'pending request');
    const [request] = await h.sql<{ id: string }>(`SELECT id FROM requests WHERE status = 'pending'`);
    await (await h.click('UBOB', ACTION.approve, request!.id)).response;
    await h.eventually(async () => (await h.requestStatus(request!.id)) === 'approved', 'approval');
    await h.settle();
    const [grant] = await h.sql<{ id: string }>(`SELECT id FROM grants WHERE request_id = '${request!.id}'`);
    return { requestId: request!.id, grantId: grant!.id };
  }

  const grantRow = async (id: string) => (await h.sql<{ status: string; expires_at: Date; end_reason: string | null }>(`SELECT * FROM grants WHERE id = '${id}'`))[0]!;

  it('offers Extend and Release on the holder’s copy once access is active', async () => {
    const { grantId } = await approvedGrant('request db 1h first');
    const copy = h.slack.messagesIn('UANA').find((m) => buttonsOf(m).length > 0)!;
    expect(buttonsOf(copy).map((b) => [b.text.text, b.value])).toEqual([['Extend', grantId], ['Release', grantId]]);
  });

  it('shows “My access” on the Home tab: what is held, until when, with Extend and Release', async () => {
    const before = h.slack.callsOf('views.publish').length;
    await sendEvent(h.target, { type: 'app_home_opened', user: 'UANA', channel: 'D0ANA', tab: 'home', event_ts: '1.0' });
    const publish = await h.slack.waitFor(() => h.slack.callsOf('views.publish')[before], 'views.publish');
    expect(publish.args.user_id).toBe('UANA');
    const view = JSON.parse(String(publish.args.view)) as { type: string; blocks: Array<Record<string, unknown>> };
    expect(view.type).toBe('home');
    expect(JSON.stringify(view.blocks)).toMatch(/`db` as `[^`]+` — 🟢 active until <!date/);
    expect(buttonsOf(view).map((b) => b.text.text)).toEqual(['Request access', 'Extend', 'Release']);

    // It also follows changes without being reopened: the notifier had already published it on activation.
    const published = h.slack.callsOf('views.publish').slice(0, before).filter((c) => c.args.user_id === 'UANA');
    expect(published.length).toBeGreaterThan(0);
    expect(String(published.at(-1)!.args.view)).toMatch(/active until/);
  });

  it('extends through the same policy: short extensions auto-approve, the end moves, never past max_total', async () => {
    const [{ id: grantId }] = await h.sql<{ id: string }>(`SELECT id FROM grants WHERE status = 'active'`) as [{ id: string }];
    const before = (await grantRow(grantId)).expires_at;
    const { responseName, response } = h.command('UANA', 'extend db 30m still digging');
    await response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'extend reply')).text).toMatch(/approved automatically/);
    await h.eventually(async () => (await grantRow(grantId)).expires_at.getTime() === before.getTime() + 30 * 60_000, 'the new end');
    await h.settle();
    expect(h.slack.messagesIn('UANA').map(visibleText).join('\n')).toMatch(/was \*extended\*/);

    // 1h + 30m held; 2h more would make 3h30m > max_total 3h.
    const tooLong = h.command('UANA', 'extend db 2h much longer');
    await tooLong.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(tooLong.responseName)[0], 'refusal')).text).toMatch(/at most 1h30m more/);

    // A longer extension goes to the approvers, from the Extend form.
    await (await h.click('UANA', ACTION.extend, grantId)).response;
    await h.slack.waitFor(() => h.slack.callsOf('views.open').find((c) => String(c.args.view).includes(VIEW.extend)), 'extend form');
    const submitted = await h.submitView('UANA', VIEW.extend, { [BLOCK.duration]: { value: { type: 'plain_text_input', value: '1h' } }, [BLOCK.reason]: { value: { type: 'plain_text_input', value: null } } }, grantId);
    expect(submitted.status).toBe(200);
    await h.settle();
    const ask = h.slack.messagesIn('UBOB').find((m) => visibleText(m).includes('asks for more time'))!;
    expect(visibleText(ask)).toMatch(/Extension: first/); // the original reason carried over
    await (await h.click('UBOB', ACTION.approve, buttonsOf(ask)[0]!.value)).response;
    await h.eventually(async () => (await grantRow(grantId)).expires_at.getTime() === before.getTime() + 90 * 60_000, 'approved extension');
  });

  it('warns the holder ten minutes before the end, once per window, with Extend and Release', async () => {
    const [{ id: grantId }] = (await h.sql<{ id: string }>(`SELECT id FROM grants WHERE status = 'active'`)) as [{ id: string }];
    const { expires_at: endsAt } = await grantRow(grantId);
    h.clock.set(new Date(endsAt.getTime() - 11 * 60_000));
    await h.keycard.scheduler.runNow('warn-expiring-grants');
    await h.settle();
    const warningsNow = () => h.slack.messagesIn('UANA').filter((m) => visibleText(m).includes('Need more time?'));
    expect(warningsNow()).toHaveLength(0);

    h.clock.advance(2 * 60_000);
    await h.keycard.scheduler.runNow('warn-expiring-grants');
    await h.keycard.scheduler.runNow('warn-expiring-grants');
    await h.settle();
    expect(warningsNow()).toHaveLength(1);
    expect(buttonsOf(warningsNow()[0]!).map((b) => [b.text.text, b.value])).toEqual([['Extend', grantId], ['Release now', grantId]]);
  });

  it('refuses to release someone else’s grant, then releases the holder’s own at once', async () => {
    const [{ id: grantId }] = await h.sql<{ id: string }>(`SELECT id FROM grants WHERE status = 'active'`) as [{ id: string }];
    const stranger = h.click('UBOB', ACTION.release, grantId);
    await stranger.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(stranger.responseName)[0], 'stranger release')).text).toMatch(/Only the person who holds this access/);
    expect((await grantRow(grantId)).status).toBe('active');

    await (await h.click('UANA', ACTION.release, grantId)).response;
    await h.eventually(async () => (await grantRow(grantId)).status !== 'active', 'release');
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.settle();
    expect((await grantRow(grantId)).status).toBe('revoked');
    expect(await h.hasRole(ana, role)).toBe(false);
    expect(h.slack.messagesIn('UANA').map(visibleText).join('\n')).toMatch(/released early by the holder/);
  });

  it('lets an admin revoke with a reason the holder reads; a non-owner cannot', async () => {
    const { grantId } = await approvedGrant('request db 1h second');
    const short = grantId.slice(0, 8);
    const denied = h.command('UANA', `revoke ${short} because I can`);
    await denied.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(denied.responseName)[0], 'not authorised')).text).toMatch(/Only the resource’s owners and Keycard admins/);

    await (await h.command('UCY', `revoke ${short} contractor left the project`)).response;
    await h.eventually(async () => (await grantRow(grantId)).status !== 'active', 'revocation');
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.settle();
    expect(await h.hasRole(ana, role)).toBe(false);
    expect(h.slack.messagesIn('UANA').map(visibleText).join('\n')).toMatch(/revoked by <@UCY>: contractor left the project/);
  });

  it('keeps access while an overlapping grant still covers it, and removes it when the last one ends', async () => {
    const first = await approvedGrant('request db 1h overlap one');
    const second = await approvedGrant('request db 2h overlap two');
    expect(await h.hasRole(ana, role)).toBe(true);

    h.clock.advance(61 * 60_000);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    expect((await grantRow(first.grantId)).status).toBe('revoked');
    expect(await h.hasRole(ana, role)).toBe(true); // the second grant still covers it
    const [audit] = await h.sql<{ data: { providerCall: boolean; coveredBy: string } }>(`SELECT data FROM audit_events WHERE action = 'grant.revoked' AND subject_id = '${first.grantId}'`);
    expect(audit!.data).toMatchObject({ providerCall: false, coveredBy: second.grantId });

    h.clock.advance(60 * 60_000);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    expect((await grantRow(second.grantId)).status).toBe('revoked');
    expect(await h.hasRole(ana, role)).toBe(false);
  });

  it('break-glass: granted at once, announced, owner confirms; the confirmed grant survives the deadline', async () => {
    await (await h.command('UANA', 'breakglass db 45m prod is down INC-1')).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests WHERE kind = 'break_glass'`)).length === 1, 'break-glass');
    await h.settle();
    expect(await h.hasRole(ana, role)).toBe(true);
    expect(visibleText(h.slack.messagesIn('C0SEC')[0]!)).toMatch(/<@UANA> used break-glass on `db`/);
    const review = h.slack.messagesIn('UBOB').find((m) => visibleText(m).includes('break-glass'))!;
    expect(buttonsOf(review).map((b) => b.text.text)).toEqual(['Confirm', 'Revoke']);

    const self = h.click('UANA', ACTION.confirmBreakGlass, buttonsOf(review)[0]!.value);
    await self.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(self.responseName)[0], 'self-confirm')).text).toMatch(/cannot approve your own/);

    await (await h.click('UBOB', ACTION.confirmBreakGlass, buttonsOf(review)[0]!.value)).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests WHERE kind = 'break_glass' AND confirmed_by = 'UBOB'`)).length === 1, 'confirmation');
    h.clock.advance(31 * 60_000); // past the confirmation deadline
    await h.keycard.scheduler.runNow('enforce-break-glass-reviews');
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    expect(await h.hasRole(ana, role)).toBe(true);
    h.clock.advance(15 * 60_000); // its own 45 minutes end
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    expect(await h.hasRole(ana, role)).toBe(false);
  });

  it('break-glass nobody confirms is revoked at the deadline', async () => {
    const refused = h.command('UANA', 'breakglass db 3h way too long');
    await refused.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(refused.responseName)[0], 'too long')).text).toMatch(/at most 1h/);

    await (await h.command('UANA', 'breakglass db 1h again down')).response;
    await h.eventually(async () => (await h.sql(`SELECT g.id FROM grants g JOIN requests r ON r.id = g.request_id WHERE r.reason = 'again down' AND g.status = 'active'`)).length === 1, 'active break-glass');
    await h.settle();
    const confirmBy = (await h.sql<{ confirm_by: Date }>(`SELECT confirm_by FROM requests WHERE reason = 'again down'`))[0]!.confirm_by;
    h.clock.set(new Date(confirmBy.getTime() - 60_000));
    await h.keycard.scheduler.runNow('enforce-break-glass-reviews');
    expect(await h.hasRole(ana, role)).toBe(true);

    h.clock.advance(2 * 60_000);
    await h.keycard.scheduler.runNow('enforce-break-glass-reviews');
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.settle();
    expect(await h.hasRole(ana, role)).toBe(false);
    expect(h.slack.messagesIn('UANA').map(visibleText).join('\n')).toMatch(/not confirmed by an owner in time/);
    const actions = (await h.sql<{ action: string }>(`SELECT action FROM audit_events ORDER BY id`)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['request.break_glass', 'break_glass.confirmed', 'break_glass.unconfirmed']));
  });
});
