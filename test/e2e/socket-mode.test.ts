import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { visibleText } from '../support/fake-slack.js';
import { FakeSocketMode } from '../support/fake-socket-mode.js';
import { Harness } from '../support/harness.js';
import { ACTION } from '../../src/slack/ids.js';

const available = await postgresAvailable();

describe.skipIf(!available)('Socket Mode: SLACK_APP_TOKEN set, no public URL', () => {
  const h = new Harness();
  const socket = new FakeSocketMode();
  let role: string;
  let ana: string;

  beforeAll(async () => {
    role = await h.createRole('ro', false);
    ana = await h.createRole('ana', true);
    h.slack.addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` }).addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    h.slack.socketUrl = await socket.start();
    await h.start(
      `
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
resources:
  db:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 2h }
`,
      { SLACK_APP_TOKEN: h.slack.appToken },
    );
    await socket.waitForClient();
  });
  afterAll(async () => {
    await h.stop();
    await socket.stop();
  });

  it('takes a slash command and a button click over the socket and grants the real role', async () => {
    const ack = await socket.deliver('slash_commands', {
      token: 'x',
      team_id: h.slack.teamId,
      user_id: 'UANA',
      command: '/access',
      text: 'request db 1h over the socket',
      response_url: h.slack.responseUrl('socket-cmd'),
      trigger_id: 't1',
      channel_id: 'C0GENERAL',
    });
    expect(ack).toBeDefined();
    const reply = await h.slack.waitFor(() => h.slack.responsesTo('socket-cmd')[0], 'the ephemeral reply');
    expect(reply.text).toMatch(/Requested `db` for 1 hour/);
    await h.settle();
    const dm = h.slack.messagesIn('UBOB')[0]!;
    expect(visibleText(dm)).toContain('over the socket');
    const requestId = (dm.blocks.find((b) => b.type === 'actions')!.elements as Array<{ value: string }>)[0]!.value;

    await socket.deliver('interactive', {
      type: 'block_actions',
      team: { id: h.slack.teamId },
      user: { id: 'UBOB', team_id: h.slack.teamId },
      trigger_id: 't2',
      response_url: h.slack.responseUrl('socket-click'),
      container: { type: 'message', channel_id: 'UBOB', message_ts: dm.ts },
      actions: [{ type: 'button', action_id: ACTION.approve, block_id: 'decision', value: requestId, action_ts: '1' }],
    });
    await h.eventually(async () => (await h.requestStatus(requestId)) === 'approved', 'approval over the socket');
    await h.settle();
    expect(await h.hasRole(ana, role)).toBe(true);
  });

  it('drops a socket payload that names another workspace', async () => {
    await socket.deliver('slash_commands', { team_id: 'T0OTHER', user_id: 'UANA', command: '/access', text: 'request db 1h elsewhere', response_url: h.slack.responseUrl('other'), trigger_id: 't3' });
    await new Promise((r) => setTimeout(r, 200));
    expect(h.slack.responsesTo('other')).toEqual([]);
    expect(await h.sql(`SELECT id FROM requests WHERE reason = 'elsewhere'`)).toEqual([]);
  });
});
