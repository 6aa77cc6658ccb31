import type { WebClient } from '@slack/web-api';

export interface WorkspaceIdentity {
  teamId: string;
  botUserId: string;
  botId: string;
}

/**
 * Which workspace and bot this token belongs to, learned from `auth.test` once and remembered. A failed
 * lookup is retried on the next request, so Keycard starts even while Slack is unreachable.
 */
export class Workspace {
  private known: Promise<WorkspaceIdentity> | null = null;

  constructor(private readonly client: WebClient) {}

  identity(): Promise<WorkspaceIdentity> {
    if (!this.known) {
      this.known = this.client.auth.test().then((r) => ({ teamId: r.team_id!, botUserId: r.user_id!, botId: r.bot_id! }));
      this.known.catch(() => (this.known = null));
    }
    return this.known;
  }
}
