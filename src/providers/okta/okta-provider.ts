import { z } from 'zod';
import { parseSpec } from '../spec.js';
import { ProviderError, type Provider, type ProviderKind } from '../types.js';
import { classifyOktaError, OktaClient, OktaHttpError } from './okta-client.js';

const configSchema = z
  .strictObject({
    org_url: z.string().min(1).describe('Your Okta org, e.g. https://acme.okta.com'),
    token: z.string().min(1).optional().describe('An Okta API token (sent as SSWS); write env:VAR'),
    oauth: z
      .strictObject({
        client_id: z.string().min(1).describe('Client id of the API service app'),
        private_key: z.string().min(1).describe('The service app’s PEM private key (RS256); write env:VAR'),
        key_id: z.string().min(1).optional().describe('kid of the key registered on the app, when it has several'),
        scopes: z.array(z.string().min(1)).min(1).default(['okta.groups.manage', 'okta.users.read']),
      })
      .optional()
      .describe('Authenticate as an OAuth service app (private_key_jwt) instead of with an API token'),
    timeout_ms: z.number().int().min(100).max(60_000).default(10_000).describe('Per-request timeout'),
    page_size: z.number().int().min(1).max(1000).default(200).describe('Members per page when listing (Okta recommends 200)'),
  })
  .refine((c) => (c.token === undefined) !== (c.oauth === undefined), { message: 'give exactly one of token or oauth' });

const grantSchema = z.strictObject({
  group_id: z
    .string()
    .regex(/^[A-Za-z0-9]+$/, { message: 'must be an Okta group id such as 00g1fanEFIQHMQQJMHZP' })
    .describe('Id of an Okta group of type OKTA_GROUP (app-imported groups cannot be changed through the API)'),
});

type Config = z.infer<typeof configSchema>;
type GrantSpec = z.infer<typeof grantSchema>;

interface OktaUser {
  id: string;
  status?: string;
  profile?: { login?: string };
}

/**
 * Grants Okta group membership (`PUT /api/v1/groups/{groupId}/users/{userId}`). The identity is the
 * user's Okta login (usually the email; an unambiguous login short name also resolves). The login is
 * resolved to the user id first, because the membership calls take ids only (§2.1). Holders are
 * listed by login.
 */
export class OktaProvider implements Provider {
  readonly kind = 'okta';
  private readonly client: OktaClient;

  constructor(readonly name: string, private readonly config: Config) {
    this.client = new OktaClient(config.org_url.replace(/\/+$/, ''), config, config.timeout_ms);
  }

  async grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    const { group_id } = parseSpec(grantSchema, spec, 'okta');
    const doing = `add ${identity} to Okta group ${group_id}`;
    await this.call(doing, async () => {
      const user = await this.findUser(identity);
      if (!user) throw new ProviderError(`Okta: cannot ${doing}: no Okta user has the login ${identity}`, { retryable: false });
      await this.client.send('PUT', `/api/v1/groups/${encodeURIComponent(group_id)}/users/${encodeURIComponent(user.id)}`);
    });
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    const { group_id } = parseSpec(grantSchema, spec, 'okta');
    await this.call(`remove ${identity} from Okta group ${group_id}`, async () => {
      const user = await this.findUser(identity);
      if (!user) return; // a user Okta no longer has is in no group
      try {
        await this.client.send('DELETE', `/api/v1/groups/${encodeURIComponent(group_id)}/users/${encodeURIComponent(user.id)}`);
      } catch (error) {
        // The user exists, so a 404 is about the group or the membership: either way nothing is held.
        // (Unlike GitHub, Okta answers a missing permission with 403, not 404.)
        if (!(error instanceof OktaHttpError && error.status === 404)) throw error;
      }
    });
  }

  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const { group_id } = parseSpec(grantSchema, spec, 'okta');
    return this.call(`list the members of Okta group ${group_id}`, async () => {
      const users = await this.client.all<OktaUser>(`/api/v1/groups/${encodeURIComponent(group_id)}/users?limit=${this.config.page_size}`);
      return users.map((u) => u.profile?.login ?? u.id).sort();
    });
  }

  async close(): Promise<void> {}

  /** §2.4: by login or short name with GET /users/{login}; logins containing `/` only through the filter. */
  private async findUser(identity: string): Promise<OktaUser | null> {
    try {
      if (identity.includes('/')) {
        const filter = encodeURIComponent(`profile.login eq "${identity.replace(/"/g, '\\"')}"`);
        const { body } = await this.client.send('GET', `/api/v1/users?filter=${filter}&limit=1`);
        return (body as OktaUser[])[0] ?? null;
      }
      const { body } = await this.client.send('GET', `/api/v1/users/${encodeURIComponent(identity)}`);
      return body as OktaUser;
    } catch (error) {
      if (error instanceof OktaHttpError && error.status === 404) return null;
      throw error;
    }
  }

  private async call<T>(doing: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw classifyOktaError(error, doing);
    }
  }
}

export const oktaKind: ProviderKind<Config, GrantSpec> = {
  kind: 'okta',
  configSchema,
  grantSchema,
  create: (name, config) => new OktaProvider(name, config),
};
