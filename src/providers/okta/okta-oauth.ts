import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { normalizePem } from '../http-errors.js';

export interface OktaOAuthSettings {
  client_id: string;
  private_key: string;
  key_id?: string | undefined;
  scopes: string[];
}

export interface AccessToken {
  value: string;
  expiresAt: number;
}

/**
 * The Okta OAuth service-app flow (vendor-api-shapes §2.0): a client-credentials token request
 * authenticated with a private_key_jwt client assertion, signed RS256 with the app's key. Tokens live
 * an hour; one is reused until a minute before it expires, and concurrent callers share one request.
 */
export class OktaTokenSource {
  private readonly key: KeyObject;
  private cached: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;

  constructor(
    private readonly orgUrl: string,
    private readonly settings: OktaOAuthSettings,
    /** Sends the form to the token endpoint and returns the parsed JSON answer (errors thrown, classified). */
    private readonly post: (path: string, form: URLSearchParams) => Promise<unknown>,
  ) {
    try {
      this.key = createPrivateKey(normalizePem(settings.private_key));
    } catch {
      throw new Error('oauth.private_key is not a PEM private key');
    }
  }

  async token(now = Date.now()): Promise<string> {
    if (this.cached && this.cached.expiresAt - 60_000 > now) return this.cached.value;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    this.cached = await this.pending;
    return this.cached.value;
  }

  /** Forgets the cached token, e.g. after Okta answered 401 to it. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<AccessToken> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.settings.scopes.join(' '),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: this.assertion(),
    });
    const answer = (await this.post('/oauth2/v1/token', form)) as { access_token?: unknown; expires_in?: unknown };
    if (typeof answer.access_token !== 'string') throw new Error('Okta token endpoint answered without an access_token');
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in : 3600;
    return { value: answer.access_token, expiresAt: Date.now() + lifetime * 1000 };
  }

  private assertion(): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', ...(this.settings.key_id ? { kid: this.settings.key_id } : {}) };
    const claims = {
      aud: `${this.orgUrl}/oauth2/v1/token`,
      iss: this.settings.client_id,
      sub: this.settings.client_id,
      iat: now,
      exp: now + 300, // Okta allows up to an hour; five minutes is plenty for one request
      jti: randomUUID(),
    };
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const signingInput = `${encode(header)}.${encode(claims)}`;
    return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), this.key).toString('base64url')}`;
  }
}
