import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { parseSpec } from '../spec.js';
import type { Provider, ProviderKind } from '../types.js';
import { createOctokit } from './github-client.js';
import { classifyGithubError, isGithubHttpError } from './github-errors.js';

const numberOrText = z.union([z.number().int().positive(), z.string().min(1)]);

const configSchema = z
  .strictObject({
    org: z.string().min(1).describe('GitHub organization login, e.g. acme'),
    token: z.string().min(1).optional().describe('Token with the Members (write) org permission; write env:VAR'),
    app: z
      .strictObject({
        app_id: numberOrText.describe('The GitHub App id (not its client id)'),
        installation_id: numberOrText.describe('The app’s installation id on the org'),
        private_key: z.string().min(1).describe('The app’s PEM private key; write env:VAR'),
      })
      .optional()
      .describe('Authenticate as a GitHub App installation instead of with a token'),
    base_url: z.string().min(1).default('https://api.github.com').describe('API root; https://HOST/api/v3 for GitHub Enterprise Server'),
    timeout_ms: z.number().int().min(100).max(60_000).default(10_000).describe('Per-request timeout'),
  })
  .refine((c) => (c.token === undefined) !== (c.app === undefined), { message: 'give exactly one of token or app' });

const grantSchema = z.strictObject({
  team: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'must be a team slug such as platform-admins' })
    .describe('Team slug (as in the team URL), not its display name'),
  role: z.enum(['member', 'maintainer']).default('member').describe('Team role to grant'),
});

type Config = z.infer<typeof configSchema>;
type GrantSpec = z.infer<typeof grantSchema>;

/**
 * Grants membership of a GitHub team (`PUT /orgs/{org}/teams/{team_slug}/memberships/{username}`).
 * The identity is a GitHub login. A grant reads the membership first, so a repeated grant writes
 * nothing and never downgrades a maintainer to member; revoking an absent membership succeeds.
 */
export class GithubProvider implements Provider {
  readonly kind = 'github';
  private readonly octokit: Octokit;

  constructor(readonly name: string, private readonly config: Config) {
    this.octokit = createOctokit({ baseUrl: config.base_url, timeoutMs: config.timeout_ms, auth: config });
  }

  async grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    const { team, role } = parseSpec(grantSchema, spec, 'github');
    const doing = `add ${identity} to team ${team} as ${role}`;
    await this.call(doing, async () => {
      const current = await this.membership(team, identity);
      // `pending` (invited, not yet accepted) counts as held: asking again would only re-send the invitation.
      if (current && (current.role === 'maintainer' || role === 'member')) return;
      await this.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org: this.config.org, team_slug: team, username: identity, role });
    });
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    const { team } = parseSpec(grantSchema, spec, 'github');
    const doing = `remove ${identity} from team ${team}`;
    await this.call(doing, async () => {
      try {
        await this.octokit.rest.teams.removeMembershipForUserInOrg({ org: this.config.org, team_slug: team, username: identity });
      } catch (error) {
        if (!isGithubHttpError(error) || error.status !== 404) throw error;
        // GitHub answers 404 both for "no such membership" and for a team the token cannot see (§1.0,
        // 404 instead of 403). Only the first means the access is gone, so look at the team.
        if (!(await this.teamVisible(team))) throw error;
      }
    });
  }

  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const { team, role } = parseSpec(grantSchema, spec, 'github');
    return this.call(`list the members of team ${team}`, async () => {
      // A maintainer holds member access too; a maintainer grant is held by maintainers only.
      const members = await this.octokit.paginate(this.octokit.rest.teams.listMembersInOrg, {
        org: this.config.org,
        team_slug: team,
        role: role === 'maintainer' ? 'maintainer' : 'all',
        per_page: 100,
      });
      // Logins are case-insensitive at GitHub; identities are compared as lower case.
      return members.map((m) => m.login.toLowerCase()).sort();
    });
  }

  async close(): Promise<void> {}

  private async membership(team: string, username: string): Promise<{ role: string; state: string } | null> {
    try {
      const { data } = await this.octokit.rest.teams.getMembershipForUserInOrg({ org: this.config.org, team_slug: team, username });
      return data;
    } catch (error) {
      if (isGithubHttpError(error) && error.status === 404) return null; // no membership (or no team: the PUT will say)
      throw error;
    }
  }

  private async teamVisible(team: string): Promise<boolean> {
    try {
      await this.octokit.rest.teams.getByName({ org: this.config.org, team_slug: team });
      return true;
    } catch (error) {
      if (isGithubHttpError(error) && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * Runs one operation and classifies its failure. With app auth a 401 means the cached installation
   * token stopped working before its expiry (revoked, or clocks disagree): fetch a fresh one and try
   * once more before calling it permanent.
   */
  private async call<T>(doing: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (this.config.app && isGithubHttpError(error) && error.status === 401) {
        try {
          await this.octokit.auth({ type: 'installation', refresh: true });
          return await operation();
        } catch (retryError) {
          throw classifyGithubError(retryError, doing);
        }
      }
      throw classifyGithubError(error, doing);
    }
  }
}

export const githubKind: ProviderKind<Config, GrantSpec> = {
  kind: 'github',
  configSchema,
  grantSchema,
  create: (name, config) => new GithubProvider(name, config),
};

