import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { SlackDirectory } from '../../src/slack/directory.js';

/** Just the Web API methods the directory calls, answering in Slack's shapes and counting calls. */
function stubClient() {
  const calls: string[] = [];
  const client = {
    users: {
      info: async ({ user }: { user: string }) => {
        calls.push(`users.info ${user}`);
        return { ok: true, user: { id: user, name: 'ana', real_name: 'Ana Lopez', profile: { email: 'ana@example.com' } } };
      },
      profile: {
        get: async ({ user }: { user: string }) => {
          calls.push(`users.profile.get ${user}`);
          return { ok: true, profile: { email: 'ana@example.com', fields: { Xf0GH: { value: 'ana-gh', alt: '' }, Xf0PHONE: { value: '555', alt: '' } } } };
        },
      },
    },
    team: {
      profile: {
        get: async () => {
          calls.push('team.profile.get');
          return { ok: true, profile: { fields: [{ id: 'Xf0GH', label: 'GitHub username', ordering: 0 }, { id: 'Xf0PHONE', label: 'Phone', ordering: 1 }] } };
        },
      },
    },
  };
  return { client: client as unknown as WebClient, calls };
}

describe('SlackDirectory', () => {
  it('asks only users.info when no provider maps by a profile field', async () => {
    const { client, calls } = stubClient();
    const ana = await new SlackDirectory(client).principal('UANA');
    expect(ana).toEqual({ slackUserId: 'UANA', email: 'ana@example.com', displayName: 'Ana Lopez' });
    expect(calls).toEqual(['users.info UANA']);
  });

  it('also reads users.profile.get when a provider does, keeping only the configured fields', async () => {
    const { client, calls } = stubClient();
    const directory = new SlackDirectory(client, { profileFields: ['Xf0GH', 'Xf0EMPTY'] });
    expect((await directory.principal('UANA')).profileFields).toEqual({ Xf0GH: 'ana-gh' });
    await directory.principal('UANA'); // cached
    expect(calls.sort()).toEqual(['users.info UANA', 'users.profile.get UANA']);
  });

  it('reads field labels from team.profile.get once', async () => {
    const { client, calls } = stubClient();
    const directory = new SlackDirectory(client, { profileFields: ['Xf0GH'] });
    expect(await directory.profileFieldLabels()).toEqual(new Map([['Xf0GH', 'GitHub username'], ['Xf0PHONE', 'Phone']]));
    await directory.profileFieldLabels();
    expect(calls).toEqual(['team.profile.get']);
  });
});
