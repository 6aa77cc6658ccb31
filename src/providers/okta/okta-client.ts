import { isNetworkFailure, isTransientStatus, retryAfterMs, waitText } from '../http-errors.js';
import { ProviderError } from '../types.js';
import { OktaTokenSource, type OktaOAuthSettings } from './okta-oauth.js';

/** An Okta answer that was not a success; `errorCode` is the field Okta supports for flow control (§2.0). */
export class OktaHttpError extends Error {
  override name = 'OktaHttpError';
  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    summary: string,
    readonly headers: Headers,
  ) {
    super(summary);
  }
}

export interface OktaAuth {
  token?: string | undefined;
  oauth?: OktaOAuthSettings | undefined;
}

/**
 * A small Okta Management API client on fetch: the four calls Keycard makes do not need the SDK and
 * its dependency tree, and the SDK's built-in retries would hide the 429s Keycard must classify
 * itself. Every request sends the headers Okta asks for (§2.0), has a timeout, and authenticates with
 * `SSWS <token>` or an OAuth bearer token from the service-app flow.
 */
export class OktaClient {
  private readonly tokens: OktaTokenSource | undefined;

  constructor(
    readonly orgUrl: string,
    private readonly auth: OktaAuth,
    private readonly timeoutMs: number,
  ) {
    this.tokens = auth.oauth ? new OktaTokenSource(orgUrl, auth.oauth, (path, form) => this.postForm(path, form)) : undefined;
  }

  /** One request; a JSON body comes back parsed (undefined for 204). A 401 on a bearer token retries once. */
  async send(method: 'GET' | 'PUT' | 'DELETE', pathOrUrl: string): Promise<{ body: unknown; headers: Headers }> {
    try {
      return await this.sendOnce(method, pathOrUrl);
    } catch (error) {
      if (!(this.tokens && error instanceof OktaHttpError && error.status === 401)) throw error;
      this.tokens.invalidate();
      return this.sendOnce(method, pathOrUrl);
    }
  }

  /** Every item of a paginated list, following `Link: <…>; rel="next"` as Okta asks (§2.0), never building URLs. */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const { body, headers } = await this.send('GET', next);
      items.push(...(body as T[]));
      next = nextLink(headers.get('link'));
      // The token goes only to the org it belongs to, whatever a Link header says.
      if (next && new URL(next).origin !== new URL(this.orgUrl).origin) throw new Error(`Okta pagination link leaves the org: ${next}`);
    }
    return items;
  }

  private async sendOnce(method: string, pathOrUrl: string): Promise<{ body: unknown; headers: Headers }> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.orgUrl}${pathOrUrl}`;
    const authorization = this.tokens ? `Bearer ${await this.tokens.token()}` : `SSWS ${this.auth.token}`;
    const response = await fetch(url, {
      method,
      headers: { accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'keycard', authorization },
      // §2.0: a PUT without a body must carry Content-Length: 0 (else 411). undici sends it for a body-less
      // PUT today; the explicit empty body keeps that from resting on a fetch implementation detail.
      ...(method === 'PUT' ? { body: '' } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return { body: await readAnswer(response), headers: response.headers };
  }

  private async postForm(path: string, form: URLSearchParams): Promise<unknown> {
    const response = await fetch(`${this.orgUrl}${path}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'keycard' },
      body: form.toString(),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return readAnswer(response);
  }
}

async function readAnswer(response: Response): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (response.ok) return body;
  const error = (body ?? {}) as { errorCode?: string; errorSummary?: string; error?: string; error_description?: string };
  const summary = error.errorSummary ?? error.error_description ?? error.error ?? response.statusText;
  throw new OktaHttpError(response.status, error.errorCode ?? error.error, summary, response.headers);
}

/** Okta sends one `link` header per relation; fetch joins repeated headers with ", ". */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return undefined;
}

const PERMANENT_HINTS: Record<number, string> = {
  400: 'Okta rejected the request',
  401: 'Okta refused Keycard’s credentials (API token revoked or expired, or the service app key is wrong)',
  403: 'Keycard lacks the permission (a Group Membership Admin role on this group, scope okta.groups.manage)',
  404: 'the Okta user or group does not exist',
};

/** Classifies a failed call; `doing` says what Keycard was doing, in words a requester can read. */
export function classifyOktaError(error: unknown, doing: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof OktaHttpError) {
    const code = error.errorCode ? ` ${error.errorCode}` : '';
    if (isTransientStatus(error.status)) {
      // §2.0: no Retry-After on Okta's 429; X-Rate-Limit-Reset says when the window resets.
      const wait = retryAfterMs(error.headers, Date.now(), 'x-rate-limit-reset');
      return new ProviderError(`Okta busy or unavailable while trying to ${doing} (${error.status}${code}: ${error.message})${waitText(wait)}`, {
        retryable: true,
        retryAfterMs: wait,
        cause: error,
      });
    }
    const hint = PERMANENT_HINTS[error.status] ?? 'Okta refused the request';
    return new ProviderError(`Okta: cannot ${doing}: ${hint} (${error.status}${code}: ${error.message})`, { retryable: false, cause: error });
  }
  const retryable = isNetworkFailure(error) || !(error instanceof TypeError);
  return new ProviderError(`Okta: ${doing} failed: ${(error as Error)?.message ?? String(error)}`, { retryable, cause: error });
}
