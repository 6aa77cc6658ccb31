import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { visibleText } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';
import { ACTION, BLOCK, VIEW } from '../../src/slack/ids.js';
import { blockActionBody, sendSigned } from '../support/slack-requests.js';

const available = await postgresAvailable();

describe.skipIf(!available)('the request modal, Deny with a reason, and requests nobody decides', () => {
  const h = new Harness();

  beforeAll(async () => {
    const role = await h.createRole('ro', false);
    await h.createRole('ana', true);
    h.slack
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: `${h.role('ana')}@example.com` })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    await h.start(`
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
resources:
  prod-db-readonly:
    description: Production database, read-only
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 4h }
  billing-db:
    description: Billing database
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    requesters: [UBOB]
    duration: { default: 30m, max: 1h }
    request_ttl: 2h
`);
  });
  afterAll(() => h.stop());

  const form = (resource: string, duration: string, reason: string) => ({
    [BLOCK.resource]: { [ACTION.pickResource]: { type: 'static_select', selected_option: { value: resource } } },
    [BLOCK.duration]: { value: { type: 'plain_text_input', value: duration } },
    [BLOCK.reason]: { value: { type: 'plain_text_input', value: reason } },
  });

  it('opens a modal listing only what this person may request', async () => {
    await (await h.command('UANA', '')).response;
    const open = await h.slack.waitFor(() => h.slack.callsOf('views.open')[0], 'views.open');
    const view = JSON.parse(String(open.args.view));
    const options = view.blocks[0].element.options.map((o: { value: string }) => o.value);
    expect(options).toEqual(['prod-db-readonly']); // billing-db is only for UBOB
    expect(view.blocks.map((b: { block_id: string }) => b.block_id)).toEqual([BLOCK.resource, BLOCK.duration, BLOCK.reason]);
  });

  it('fills in the default duration and shows the maximum once a resource is picked', async () => {
    const view = { id: 'V123', hash: 'h1', type: 'modal', callback_id: VIEW.request, state: { values: {} } };
    await sendSigned(h.target, blockActionBody(h.target, { userId: 'UANA', actionId: ACTION.pickResource, selectedValue: 'prod-db-readonly', responseUrl: h.slack.responseUrl('pick'), view }));
    const update = await h.slack.waitFor(() => h.slack.callsOf('views.update')[0], 'views.update');
    expect(update.args.view_id).toBe('V123');
    expect(update.args.hash).toBe('h1');
    const duration = JSON.parse(String(update.args.view)).blocks[1];
    expect(duration.element.initial_value).toBe('1h');
    expect(duration.hint.text).toMatch(/Up to 4 hours/);
  });

  it('shows refusals at the field and files nothing', async () => {
    const tooLong = await h.submitView('UANA', VIEW.request, form('prod-db-readonly', '9h', 'checking'));
    expect(await tooLong.json()).toEqual({ response_action: 'errors', errors: { [BLOCK.duration]: expect.stringMatching(/at most 4h/) } });
    const notAllowed = await h.submitView('UANA', VIEW.request, form('billing-db', '30m', 'checking'));
    expect(await notAllowed.json()).toMatchObject({ response_action: 'errors', errors: { [BLOCK.resource]: expect.stringMatching(/does not let you/) } });
    expect(await h.sql(`SELECT id FROM requests`)).toEqual([]);
  });

  let requestId: string;

  it('files a request from the modal exactly as the command does', async () => {
    const response = await h.submitView('UANA', VIEW.request, form('prod-db-readonly', '2h', 'rotate keys for INC-77'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await h.settle();
    const [dm] = h.slack.messagesIn('UBOB');
    expect(visibleText(dm!)).toContain('rotate keys for INC-77');
    expect(visibleText(dm!)).toContain('2 hours');
    requestId = (dm!.blocks.find((b) => b.type === 'actions')!.elements as Array<{ value: string }>)[0]!.value;
  });

  it('asks for a reason when Deny is clicked and passes it to the requester', async () => {
    await (await h.click('UBOB', ACTION.deny, requestId)).response;
    const open = await h.slack.waitFor(() => h.slack.callsOf('views.open').find((c) => String(c.args.view).includes(VIEW.denyReason)), 'deny modal');
    expect(JSON.parse(String(open.args.view)).private_metadata).toBe(requestId);

    const empty = await h.submitView('UBOB', VIEW.denyReason, { [BLOCK.denyReason]: { value: { type: 'plain_text_input', value: '  ' } } }, requestId);
    expect((await empty.json()).response_action).toBe('errors');
    expect(await h.requestStatus(requestId)).toBe('pending');

    const denied = await h.submitView('UBOB', VIEW.denyReason, { [BLOCK.denyReason]: { value: { type: 'plain_text_input', value: 'use the replica instead' } } }, requestId);
    expect(denied.status).toBe(200);
    expect(await h.requestStatus(requestId)).toBe('denied');
    await h.settle();
    const [approverCopy] = h.slack.messagesIn('UBOB');
    expect(approverCopy!.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(visibleText(approverCopy!)).toMatch(/Denied\* by <@UBOB>.*use the replica instead/);
    const requesterTexts = h.slack.messagesIn('UANA').map(visibleText).join('\n');
    expect(requesterTexts).toMatch(/\*denied\* by <@UBOB>/);
    expect(requesterTexts).toContain('use the replica instead');
    expect(await h.sql(`SELECT id FROM grants`)).toEqual([]);
  });

  it('offers the requester “Request again”, which opens the form filled in as before (and only for them)', async () => {
    const denial = h.slack.messagesIn('UANA').find((m) => visibleText(m).includes('*denied*'))!;
    const again = (denial.blocks.find((b) => b.type === 'actions')!.elements as Array<{ action_id: string; value: string }>)[0]!;
    expect(again.action_id).toBe(ACTION.requestAgain);
    const stranger = h.click('UBOB', ACTION.requestAgain, again.value);
    await stranger.response;
    expect((await h.slack.waitFor(() => h.slack.responsesTo(stranger.responseName)[0], 'refusal')).text).toMatch(/Only the person who asked/);

    const before = h.slack.callsOf('views.open').length;
    await (await h.click('UANA', ACTION.requestAgain, again.value)).response;
    const open = await h.slack.waitFor(() => h.slack.callsOf('views.open')[before], 'the prefilled form');
    const blocks = JSON.parse(String(open.args.view)).blocks;
    expect(blocks[0].element.initial_option.value).toBe('prod-db-readonly');
    expect(blocks[1].element.initial_value).toBe('2h');
    expect(blocks[2].element.initial_value).toBe('rotate keys for INC-77');
  });

  it('a deny form submitted by someone who is not an approver changes nothing', async () => {
    const { response } = h.command('UANA', 'request prod-db-readonly 1h second try');
    await response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests WHERE status = 'pending'`)).length === 1, 'second request');
    const [pending] = await h.sql<{ id: string }>(`SELECT id FROM requests WHERE status = 'pending'`);
    const forged = await h.submitView('UANA', VIEW.denyReason, { [BLOCK.denyReason]: { value: { type: 'plain_text_input', value: 'never mind' } } }, pending!.id);
    expect((await forged.json()).errors[BLOCK.denyReason]).toMatch(/cannot approve your own request/);
    expect(await h.requestStatus(pending!.id)).toBe('pending');
  });

  it('expires a request nobody decides within the TTL and tells requester and approvers', async () => {
    const [pending] = await h.sql<{ id: string }>(`SELECT id FROM requests WHERE status = 'pending'`);
    await h.settle();
    await h.keycard.scheduler.runNow('expire-stale-requests');
    expect(await h.requestStatus(pending!.id)).toBe('pending');

    h.clock.advance(24 * 3_600_000 + 1_000); // the default request TTL
    await h.keycard.scheduler.runNow('expire-stale-requests');
    expect(await h.requestStatus(pending!.id)).toBe('expired');
    await h.settle();
    const approverCopy = h.slack.messagesIn('UBOB').find((m) => visibleText(m).includes('second try'));
    expect(visibleText(approverCopy!)).toMatch(/Expired\* — nobody decided/);
    expect(approverCopy!.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(h.slack.messagesIn('UANA').map(visibleText).join('\n')).toMatch(/request for `prod-db-readonly` \*expired\*/);
  });

  it('lists my pending requests and active access', async () => {
    const { responseName, response } = h.command('UANA', 'list');
    await response;
    const reply = await h.slack.waitFor(() => h.slack.responsesTo(responseName)[0], 'list reply');
    expect(reply.text).toMatch(/no pending requests and no active access/);
  });
});
