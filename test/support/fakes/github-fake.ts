import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { HttpFake, header, parseJsonBody, sendJson, type Failure, type FakeRequest, type RecordedCall } from './http-fake.js';
import { verifyRs256 } from './jwt.js';

/**
 * A fake GitHub REST API for team memberships (vendor-api-shapes §1): checks the headers GitHub
 * documents (User-Agent, Accept, X-GitHub-Api-Version, Authorization), the paths and bodies of §1.1–1.4,
 * and the GitHub App token exchange of §1.5 (RS256 JWT verified with the test key). Answers with
 * GitHub's statuses and `{message, documentation_url}` error bodies.
 */

export interface GithubFakeOptions {
  org: string;
  /** A personal/installation-style token accepted as is. */
  token?: string;
  app?: { appId: number; installationId: number; publicKey: KeyObject };
  /** Lifetime of issued installation tokens; GitHub's is one hour. */
  tokenTtlMs?: number;
}

const DOCS = 'https://docs.github.com/rest';
const API_VERSIONS = new Set(['2022-11-28', '2026-03-10']);
const MEMBERSHIP = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/;
const MEMBERS = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/members$/;
const TEAM = /^\/orgs\/([^/]+)\/teams\/([^/]+)$/;
const ACCESS_TOKENS = /^\/app\/installations\/([^/]+)\/access_tokens$/;

export class GithubFake {
  readonly http: HttpFake;
  /** team slug → login → role */
  readonly teams = new Map<string, Map<string, 'member' | 'maintainer'>>();
  /** Logins that exist at GitHub (others get 404). */
  readonly users = new Set<string>();
  /** Installation tokens issued, with their expiry (ms since epoch). */
  readonly issuedTokens = new Map<string, number>();

  constructor(private readonly options: GithubFakeOptions) {
    this.http = new HttpFake(
      (req, res) => this.handle(req, res),
      (call) => !ACCESS_TOKENS.test(call.path), // "next call" means the next API call, not the token exchange
      (status) => ({ message: STATUS_TEXT[status] ?? 'Error', documentation_url: DOCS }),
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

  addTeam(slug: string, members: Record<string, 'member' | 'maintainer'> = {}): void {
    this.teams.set(slug, new Map(Object.entries(members)));
    for (const login of Object.keys(members)) this.users.add(login);
  }

  /** Makes every issued installation token expired, as if an hour had passed at GitHub. */
  expireTokens(): void {
    for (const token of this.issuedTokens.keys()) this.issuedTokens.set(token, 0);
  }

  private handle(req: FakeRequest, res: ServerResponse): void {
    if (!header(req, 'user-agent')) {
      // §1.0: "Requests with no User-Agent header will be rejected."
      req.violation('no User-Agent');
      return sendJson(res, 403, { message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.', documentation_url: DOCS });
    }
    const accept = header(req, 'accept') ?? '';
    if (!/application\/(vnd\.github(\.v3)?\+json|json)/.test(accept)) req.violation(`Accept is "${accept}", expected application/vnd.github+json`);
    const version = header(req, 'x-github-api-version');
    if (version === undefined) req.violation('no X-GitHub-Api-Version (GitHub would use its default version)');
    else if (!API_VERSIONS.has(version)) {
      return sendJson(res, 400, { message: `API version ${version} is not supported.`, documentation_url: DOCS });
    }
    if (req.path.endsWith('/')) return this.notFound(res); // §1.0: a trailing slash is a 404

    const tokenCall = ACCESS_TOKENS.exec(req.path);
    if (tokenCall) return this.exchangeToken(req, res, decodeURIComponent(tokenCall[1]!));
    if (!this.authenticated(req, res)) return;

    const rate = { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-used': '1', 'x-ratelimit-resource': 'core', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) };
    let m: RegExpExecArray | null;
    if ((m = MEMBERSHIP.exec(req.path))) return this.membership(req, res, m, rate);
    if ((m = MEMBERS.exec(req.path)) && req.method === 'GET') return this.listMembers(req, res, m, rate);
    if ((m = TEAM.exec(req.path)) && req.method === 'GET') {
      const team = this.team(m);
      if (!team) return this.notFound(res);
      const slug = decodeURIComponent(m[2]!);
      return sendJson(res, 200, { id: 1, node_id: 'T_1', name: slug, slug, privacy: 'closed', permission: 'pull' }, rate);
    }
    req.violation('no such GitHub endpoint');
    this.notFound(res);
  }

  private membership(req: FakeRequest, res: ServerResponse, m: RegExpExecArray, rate: Record<string, string>): void {
    const team = this.team(m);
    const login = decodeURIComponent(m[3]!);
    const url = `https://api.github.com/teams/1/memberships/${login}`;
    if (req.method === 'GET') {
      const role = team?.get(login);
      return role ? sendJson(res, 200, { url, role, state: 'active' }, rate) : this.notFound(res); // §1.3
    }
    if (req.method === 'PUT') {
      let role: 'member' | 'maintainer' = 'member';
      if (req.body !== '') {
        if (!/^application\/json/.test(header(req, 'content-type') ?? '')) req.violation('PUT body without Content-Type application/json');
        const body = parseJsonBody(req);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          return sendJson(res, 400, { message: 'Body should be a JSON object', documentation_url: DOCS });
        }
        const extra = Object.keys(body).filter((k) => k !== 'role');
        if (extra.length) req.violation(`unexpected body fields ${extra.join(', ')}`);
        const given = (body as { role?: unknown }).role;
        if (given !== undefined && given !== 'member' && given !== 'maintainer') {
          return sendJson(res, 422, { message: 'Validation Failed', errors: [{ resource: 'TeamMembership', code: 'invalid', field: 'role' }], documentation_url: DOCS });
        }
        if (given) role = given;
      }
      if (!team || !this.users.has(login)) return this.notFound(res);
      team.set(login, role); // §1.1: "If the user is already a member … this endpoint will update the role"
      return sendJson(res, 200, { url, role, state: 'active' }, rate); // §1.1: 200 for create and update alike
    }
    if (req.method === 'DELETE') {
      if (req.body !== '') req.violation('DELETE with a body');
      if (!team || !team.delete(login)) return this.notFound(res); // §6: 404 in practice when absent
      return sendJson(res, 204, undefined, rate);
    }
    req.violation(`method ${req.method} on a membership`);
    this.notFound(res);
  }

  private listMembers(req: FakeRequest, res: ServerResponse, m: RegExpExecArray, rate: Record<string, string>): void {
    const team = this.team(m);
    if (!team) return this.notFound(res);
    const role = req.query.get('role') ?? 'all';
    if (!['all', 'member', 'maintainer'].includes(role)) req.violation(`role=${role}`);
    const perPage = Math.min(Number(req.query.get('per_page') ?? 30), 100); // §1.4: default 30, max 100
    const page = Number(req.query.get('page') ?? 1);
    const all = [...team].filter(([, r]) => role === 'all' || r === role);
    const items = all.slice((page - 1) * perPage, page * perPage).map(([login, r], i) => userObject(login, i + 1, r));
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (p: number, rel: string) => `<${this.http.url}${req.path}?role=${role}&per_page=${perPage}&page=${p}>; rel="${rel}"`;
    const links = [page > 1 ? link(page - 1, 'prev') : '', page < last ? link(page + 1, 'next') : '', page < last ? link(last, 'last') : '', page > 1 ? link(1, 'first') : ''].filter(Boolean);
    sendJson(res, 200, items, links.length ? { ...rate, link: links.join(', ') } : rate);
  }

  private exchangeToken(req: FakeRequest, res: ServerResponse, installationId: string): void {
    const app = this.options.app;
    if (!app) return this.notFound(res);
    if (req.method !== 'POST') return this.notFound(res);
    const [scheme, jwt] = (header(req, 'authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !jwt) {
      // §1.0: a JWT must be sent as Authorization: Bearer
      req.violation('token exchange without Authorization: Bearer <JWT>');
      return sendJson(res, 401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS });
    }
    const checked = verifyRs256(jwt, app.publicKey);
    if (!checked.ok) {
      req.violation(`JWT: ${checked.reason}`);
      return sendJson(res, 401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS });
    }
    const { iat, exp, iss } = checked.claims as { iat?: unknown; exp?: unknown; iss?: unknown };
    const now = Math.floor(Date.now() / 1000);
    if (String(iss) !== String(app.appId)) return this.badJwt(req, res, `iss ${String(iss)} is not the app id`);
    if (typeof iat !== 'number' || iat > now + 60) return this.badJwt(req, res, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
    if (typeof exp !== 'number' || exp <= now) return this.badJwt(req, res, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
    if (exp > now + 600 + 5) return this.badJwt(req, res, "'Expiration time' claim ('exp') is too far in the future"); // §1.5: ≤ 10 minutes
    if (req.body !== '') {
      if (!/^application\/json/.test(header(req, 'content-type') ?? '')) req.violation('token request body without Content-Type application/json');
      parseJsonBody(req);
    }
    if (installationId !== String(app.installationId)) return this.notFound(res);
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    const expiresAt = Date.now() + (this.options.tokenTtlMs ?? 3_600_000);
    this.issuedTokens.set(token, expiresAt);
    sendJson(res, 201, {
      token,
      expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: { members: 'write' },
      repository_selection: 'all',
    });
  }

  private badJwt(req: FakeRequest, res: ServerResponse, message: string): void {
    req.violation(`JWT: ${message}`);
    sendJson(res, 401, { message, documentation_url: DOCS });
  }

  /** §1.0: Bearer or token scheme; an expired installation token is a 401 (§1.5). */
  private authenticated(req: FakeRequest, res: ServerResponse): boolean {
    const [scheme, token] = (header(req, 'authorization') ?? '').split(' ');
    const schemeOk = scheme !== undefined && ['bearer', 'token'].includes(scheme.toLowerCase());
    const expiry = token ? this.issuedTokens.get(token) : undefined;
    const valid = schemeOk && token !== undefined && (token === this.options.token || (expiry !== undefined && expiry > Date.now()));
    if (!valid) {
      sendJson(res, 401, { message: 'Bad credentials', documentation_url: DOCS });
      return false;
    }
    return true;
  }

  private team(m: RegExpExecArray): Map<string, 'member' | 'maintainer'> | undefined {
    // §1.1: "The organization name is not case sensitive."
    if (decodeURIComponent(m[1]!).toLowerCase() !== this.options.org.toLowerCase()) return undefined;
    return this.teams.get(decodeURIComponent(m[2]!));
  }

  private notFound(res: ServerResponse): void {
    sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS });
  }
}

function userObject(login: string, id: number, role: string): Record<string, unknown> {
  const url = `https://api.github.com/users/${login}`;
  return {
    login, id, node_id: `U_${id}`, avatar_url: `https://avatars.githubusercontent.com/u/${id}`, gravatar_id: '',
    url, html_url: `https://github.com/${login}`, followers_url: `${url}/followers`, following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`, starred_url: `${url}/starred{/owner}{/repo}`, subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`, repos_url: `${url}/repos`, events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`, type: 'User', site_admin: false, role, inherited: false,
  };
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Bad credentials',
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Validation Failed',
  429: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  500: 'Server Error',
  502: 'Server Error',
  503: 'Service Unavailable',
};

/** Failures as GitHub sends them, for tests and the conformance fixture. */
export const githubFailures = {
  secondaryRateLimit: (): Failure => ({ status: 429, headers: { 'retry-after': '30', 'x-ratelimit-remaining': '4990' } }),
  primaryRateLimit: (): Failure => ({
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 600) },
    body: { message: 'API rate limit exceeded for installation ID 22782749.', documentation_url: DOCS },
  }),
  serverError: (): Failure => ({ status: 502 }),
  timeout: (): Failure => ({ hang: true }),
  notFound: (): Failure => ({ status: 404 }),
  missingPermission: (): Failure => ({
    status: 403,
    headers: { 'x-accepted-github-permissions': 'members=write' },
    body: { message: 'Resource not accessible by integration', documentation_url: DOCS },
  }),
};
