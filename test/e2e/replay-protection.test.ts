import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { Harness } from '../support/harness.js';
import { sendSigned, sign, slashCommandBody } from '../support/slack-requests.js';

const available = await postgresAvailable();

describe.skipIf(!available)('replay protection beyond Bolt’s five minutes', () => {
  const h = new Harness();

  beforeAll(async () => {
    const role = await h.createRole('ro', false);
    h.slack.addUser({ id: 'UANA', name: 'Ana Lopez', email: 'ana@example.com' }).addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    await h.start(`
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
resources:
  db:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 2h }
`);
  });
  afterAll(() => h.stop());

  const refusals = async (action: string) => h.sql<{ data: { reason: string } }>(`SELECT data FROM audit_events WHERE action = '${action}'`);
  const requests = async () => (await h.sql(`SELECT id FROM requests`)).length;

  it('refuses the same signed request sent twice, and audits it', async () => {
    const body = slashCommandBody(h.target, { userId: 'UANA', text: 'request db 1h once only', responseUrl: h.slack.responseUrl('replay') });
    const timestamp = Math.floor(Date.now() / 1000);
    expect((await sendSigned(h.target, body, { timestamp })).status).toBe(200);
    await h.eventually(async () => (await requests()) === 1, 'the request');
    const replay = await sendSigned(h.target, body, { timestamp });
    expect(replay.status).toBe(401);
    await h.eventually(async () => (await refusals('slack.replay_refused')).length === 1, 'the audited replay');
    expect((await refusals('slack.replay_refused'))[0]!.data.reason).toBe('replayed_signature');
    expect(await requests()).toBe(1);
  });

  it('refuses a timestamp more than a minute in the future, but not one a little ahead', async () => {
    const body = slashCommandBody(h.target, { userId: 'UANA', text: 'help', responseUrl: h.slack.responseUrl('future') });
    const ahead = await sendSigned(h.target, body, { timestamp: Math.floor(Date.now() / 1000) + 5 * 60 });
    expect(ahead.status).toBe(401);
    await h.eventually(async () => (await refusals('slack.future_timestamp_refused')).length === 1, 'the audited future timestamp');
    expect(h.slack.responsesTo('future')).toEqual([]);

    const slightly = await sendSigned(h.target, body, { timestamp: Math.floor(Date.now() / 1000) + 20 });
    expect(slightly.status).toBe(200);
    await h.slack.waitFor(() => h.slack.responsesTo('future')[0], 'the help reply');
  });

  it('acknowledges a Slack redelivery of an event already handled, without handling it again', async () => {
    const event = JSON.stringify({
      token: 'x',
      team_id: h.slack.teamId,
      api_app_id: 'A0KEYCARD',
      type: 'event_callback',
      event_id: 'Ev0REDELIVER',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'UANA', channel: 'D0ANA', tab: 'home', event_ts: '1.0' },
    });
    const post = (timestamp: number, retry?: string) =>
      fetch(h.target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': sign(h.target.signingSecret, timestamp, event),
          ...(retry ? { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_timeout' } : {}),
        },
        body: event,
      });
    const now = Math.floor(Date.now() / 1000);
    expect((await post(now)).status).toBe(200);
    const redelivered = await post(now + 1, '1');
    expect(redelivered.status).toBe(200);
    expect(await redelivered.text()).toBe('');
    await h.eventually(async () => (await refusals('slack.redelivery_dropped')).length === 1, 'the dropped redelivery');
  });
});
