import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { HttpFake, header, sendJson, type Failure, type FakeRequest, type RecordedCall } from './http-fake.js';
import { verifyRs256 } from './jwt.js';

/**
 * A fake Okta Management API for group membership (vendor-api-shapes §2): checks the headers Okta
 * asks for on every request (Accept and Content-Type application/json, a User-Agent, SSWS or Bearer
 * auth, Content-Length on a body-less PUT), the paths of §2.1–2.4 (membership calls take user ids),
 * and the OAuth service-app token request (form fields, RS256 client assertion, scopes). Answers with
 * Okta's statuses, `errorCode`/`errorSummary` bodies, X-Rate-Limit-* headers and Link pagination.
 */

export interface OktaFakeOptions {
  apiToken?: string;
  oauth?: { clientId: string; publicKey: KeyObject; grantedScopes: string[] };
}

interface FakeUser {
  id: string;
  login: string;
  status: 'ACTIVE' | 'DEPROVISIONED';
}

const GROUP_USERS = /^\/api\/v1\/groups\/([^/]+)\/users\/([^/]+)$/;
const GROUP_MEMBERS = /^\/api\/v1\/groups\/([^/]+)\/users$/;
const USER = /^\/api\/v1\/users\/([^/]+)$/;
const TOKEN_PATH = '/oauth2/v1/token';

export class OktaFake {
  readonly http: HttpFake;
  readonly users = new Map<string, FakeUser>();
  /** group id → member user ids, in insertion order (Okta lists members in a stable order). */
  readonly groups = new Map<string, Set<string>>();
  /** Access tokens issued by the token endpoint, with their scopes. */
  readonly accessTokens = new Map<string, { scopes: string[]; expiresAt: number }>();
  private idCounter = 0;

  constructor(private readonly options: OktaFakeOptions) {
    this.http = new HttpFake(
      (req, res) => this.handle(req, res),
      (call) => call.path !== TOKEN_PATH,
      (status) => oktaError(status),
    );
  }

  start(): Promise<string> {
    return this.http.start();
  }
  stop(): Promise<void> {
    return this.http.stop();
  }
  failNext(failure: Failure, when?: (call: RecordedCall) => boolean): void {
    this.http.failNext(failure, when);
  }

  addUser(login: string, status: FakeUser['status'] = 'ACTIVE'): FakeUser {
    const user = { id: `00u${(++this.idCounter).toString().padStart(17, '0')}`, login, status };
    this.users.set(user.id, user);
    return user;
  }

  addGroup(id: string, memberLogins: string[] = []): void {
    const members = new Set<string>();
    for (const login of memberLogins) members.add((this.userByLogin(login) ?? this.addUser(login)).id);
    this.groups.set(id, members);
  }

  userByLogin(login: string): FakeUser | undefined {
    return [...this.users.values()].find((u) => u.login === login);
  }

  private handle(req: FakeRequest, res: ServerResponse): void {
    if (!header(req, 'user-agent')) req.violation('no User-Agent (§2.0: always send one)');
    if (req.path === TOKEN_PATH) return this.token(req, res);

    // §2.0: "set both the Content-Type and Accept headers for every request as application/json".
    if (!/^application\/json/.test(header(req, 'accept') ?? '')) {
      req.violation(`Accept is "${header(req, 'accept')}"`);
      return sendJson(res, 400, oktaError(400, 'E0000019', 'Bad request. Accept and/or Content-Type headers likely do not match supported values.'));
    }
    if (!/^application\/json/.test(header(req, 'content-type') ?? '')) {
      req.violation(`Content-Type is "${header(req, 'content-type')}"`);
      return sendJson(res, 400, oktaError(400, 'E0000019', 'Bad request. Accept and/or Content-Type headers likely do not match supported values.'));
    }
    if (req.method === 'PUT' && header(req, 'content-length') === undefined && header(req, 'transfer-encoding') === undefined) {
      req.violation('PUT without Content-Length');
      return sendJson(res, 411, oktaError(411, 'E0000021', 'Length required'));
    }
    const scopes = this.authenticate(req, res);
    if (!scopes) return;
    const rate = this.rateHeaders();
    let m: RegExpExecArray | null;

    if ((m = GROUP_USERS.exec(req.path)) && (req.method === 'PUT' || req.method === 'DELETE')) {
      if (!this.allowed(res, scopes, ['okta.groups.manage'])) return;
      if (req.body !== '') req.violation(`${req.method} with a body`);
      const members = this.groups.get(decodeURIComponent(m[1]!));
      // §2.1: the user must be an id; a login in this place is "not found".
      const user = this.users.get(decodeURIComponent(m[2]!));
      if (!members) return sendJson(res, 404, oktaError(404, 'E0000007', `Not found: Resource not found: ${m[1]} (UserGroup)`), rate);
      if (!user) return sendJson(res, 404, oktaError(404, 'E0000007', `Not found: Resource not found: ${m[2]} (User)`), rate);
      // §6: repeating either call is undocumented; this fake answers 204 both times (no-op).
      if (req.method === 'PUT') members.add(user.id);
      else members.delete(user.id);
      return sendJson(res, 204, undefined, rate);
    }
    if ((m = GROUP_MEMBERS.exec(req.path)) && req.method === 'GET') {
      if (!this.allowed(res, scopes, ['okta.groups.read', 'okta.groups.manage'])) return;
      return this.listMembers(req, res, decodeURIComponent(m[1]!), rate);
    }
    if ((m = USER.exec(req.path)) && req.method === 'GET') {
      if (!this.allowed(res, scopes, ['okta.users.read', 'okta.users.manage'])) return;
      const user = this.findUser(decodeURIComponent(m[1]!));
      if (!user) return sendJson(res, 404, oktaError(404, 'E0000007', `Not found: Resource not found: ${decodeURIComponent(m[1]!)} (User)`), rate);
      return sendJson(res, 200, userObject(user, this.http.url), rate);
    }
    if (req.path === '/api/v1/users' && req.method === 'GET') {
      if (!this.allowed(res, scopes, ['okta.users.read', 'okta.users.manage'])) return;
      const filter = /^profile\.login eq "(.*)"$/.exec(req.query.get('filter') ?? '');
      if (!filter) return sendJson(res, 400, oktaError(400, 'E0000031', 'Invalid search criteria.'), rate);
      const user = this.userByLogin(filter[1]!.replace(/\\"/g, '"'));
      return sendJson(res, 200, user ? [userObject(user, this.http.url)] : [], rate);
    }
    req.violation('no such Okta endpoint');
    sendJson(res, 404, oktaError(404, 'E0000022', 'The endpoint does not support the provided HTTP method'), rate);
  }

  /** §2.3: `limit` (default 1000) and an opaque `after` cursor; one `link` header line per relation. */
  private listMembers(req: FakeRequest, res: ServerResponse, groupId: string, rate: Record<string, string>): void {
    const members = this.groups.get(groupId);
    if (!members) return sendJson(res, 404, oktaError(404, 'E0000007', `Not found: Resource not found: ${groupId} (UserGroup)`), rate);
    const limit = Number(req.query.get('limit') ?? 1000);
    const after = req.query.get('after');
    const ids = [...members];
    const start = after ? ids.indexOf(Buffer.from(after, 'base64url').toString()) + 1 : 0;
    if (after && start === 0) return sendJson(res, 400, oktaError(400, 'E0000029', 'Invalid paging request.'), rate);
    const page = ids.slice(start, start + limit);
    const base = `${this.http.url}/api/v1/groups/${groupId}/users`;
    const links = [`<${base}?limit=${limit}${after ? `&after=${after}` : ''}>; rel="self"`];
    if (start + limit < ids.length) links.push(`<${base}?after=${Buffer.from(page.at(-1)!).toString('base64url')}&limit=${limit}>; rel="next"`);
    res.setHeader('link', links); // separate header lines, as in Okta's examples
    sendJson(res, 200, page.map((id) => userObject(this.users.get(id)!, this.http.url)), rate);
  }

  private findUser(idOrLogin: string): FakeUser | undefined {
    const byId = this.users.get(idOrLogin) ?? this.userByLogin(idOrLogin);
    if (byId) return byId;
    // §2.4: a login short name works "as long as the shortname is unambiguous".
    const short = [...this.users.values()].filter((u) => u.login.split('@')[0] === idOrLogin);
    return short.length === 1 ? short[0] : undefined;
  }

  /** Returns the caller's scopes (all of them for an API token), or answers 401 and returns undefined. */
  private authenticate(req: FakeRequest, res: ServerResponse): string[] | undefined {
    const [scheme, value] = (header(req, 'authorization') ?? '').split(' ');
    if (scheme === 'SSWS' && value && value === this.options.apiToken) return ['*'];
    const issued = scheme === 'Bearer' && value ? this.accessTokens.get(value) : undefined;
    if (issued && issued.expiresAt > Date.now()) return issued.scopes;
    sendJson(res, 401, oktaError(401, 'E0000011', 'Invalid token provided'));
    return undefined;
  }

  private allowed(res: ServerResponse, scopes: string[], anyOf: string[]): boolean {
    if (scopes.includes('*') || anyOf.some((s) => scopes.includes(s))) return true;
    sendJson(res, 403, oktaError(403, 'E0000006', 'You do not have permission to perform the requested action'), {
      'www-authenticate': `Bearer authorization_uri="${this.http.url}/oauth2/v1/authorize", realm="${this.http.url}", scope="${anyOf[0]}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`,
    });
    return false;
  }

  /** §2.0 service-app token request: form-encoded client credentials with a private_key_jwt assertion. */
  private token(req: FakeRequest, res: ServerResponse): void {
    const oauth = this.options.oauth;
    const fail = (status: number, error: string, description: string) => {
      req.violation(`token request: ${description}`);
      sendJson(res, status, { error, error_description: description });
    };
    if (!oauth) return fail(401, 'invalid_client', 'no OAuth client configured in the fake');
    if (req.method !== 'POST') return fail(405, 'invalid_request', `method ${req.method}`);
    if (!/^application\/x-www-form-urlencoded/.test(header(req, 'content-type') ?? '')) return fail(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    if (!/^application\/json/.test(header(req, 'accept') ?? '')) req.violation('token request without Accept: application/json');
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== 'client_credentials') return fail(400, 'unsupported_grant_type', `grant_type ${form.get('grant_type')}`);
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return fail(400, 'invalid_client', 'client_assertion_type');
    const checked = verifyRs256(form.get('client_assertion') ?? '', oauth.publicKey);
    if (!checked.ok) return fail(401, 'invalid_client', `client_assertion: ${checked.reason}`);
    const { aud, iss, sub, exp, iat } = checked.claims as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    if (aud !== `${this.http.url}${TOKEN_PATH}`) return fail(401, 'invalid_client', `aud ${String(aud)}`);
    if (iss !== oauth.clientId || sub !== oauth.clientId) return fail(401, 'invalid_client', 'iss and sub must be the client id');
    if (typeof exp !== 'number' || exp <= now || exp > now + 3600) return fail(401, 'invalid_client', 'exp must be in the future and at most an hour ahead');
    if (iat !== undefined && (typeof iat !== 'number' || iat > now + 60)) return fail(401, 'invalid_client', 'iat');
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const refused = scopes.filter((s) => !oauth.grantedScopes.includes(s));
    if (scopes.length === 0 || refused.length) return fail(400, 'invalid_scope', `scopes not granted to the app: ${refused.join(' ') || '(none asked)'}`);
    const accessToken = `eyJ${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, { scopes, expiresAt: Date.now() + 3_600_000 });
    sendJson(res, 200, { token_type: 'Bearer', expires_in: 3600, access_token: accessToken, scope: scopes.join(' ') });
  }

  private rateHeaders(): Record<string, string> {
    return { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '599', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 60) };
  }
}

function userObject(user: FakeUser, base: string): Record<string, unknown> {
  const at = '2013-12-12T16:14:22.000Z';
  return {
    id: user.id, status: user.status, created: at, activated: at, statusChanged: at, lastLogin: at, lastUpdated: at, passwordChanged: at,
    profile: { firstName: user.login.split('@')[0], lastName: 'Test', email: user.login, login: user.login, mobilePhone: null },
    credentials: { password: {}, provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: `${base}/api/v1/users/${user.id}` } },
  };
}

const SUMMARIES: Record<number, [string, string]> = {
  400: ['E0000001', 'Api validation failed'],
  401: ['E0000011', 'Invalid token provided'],
  403: ['E0000006', 'You do not have permission to perform the requested action'],
  404: ['E0000007', 'Not found: Resource not found'],
  429: ['E0000047', 'API call exceeded rate limit due to too many requests.'],
  500: ['E0000009', 'Internal Server Error'],
};

export function oktaError(status: number, code?: string, summary?: string): Record<string, unknown> {
  const [defaultCode, defaultSummary] = SUMMARIES[status] ?? ['E0000009', 'Internal Server Error'];
  const errorCode = code ?? defaultCode;
  return { errorCode, errorSummary: summary ?? defaultSummary, errorLink: errorCode, errorId: `oae${randomBytes(8).toString('hex')}`, errorCauses: [] };
}

/** Failures as Okta sends them, for tests and the conformance fixture. */
export const oktaFailures = {
  rateLimited: (resetInSeconds = 20): Failure => ({
    status: 429,
    headers: { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds) },
  }),
  serverError: (): Failure => ({ status: 500 }),
  timeout: (): Failure => ({ hang: true }),
  unknownUser: (login: string): Failure => ({ status: 404, body: oktaError(404, 'E0000007', `Not found: Resource not found: ${login} (User)`) }),
  forbidden: (): Failure => ({ status: 403 }),
};
