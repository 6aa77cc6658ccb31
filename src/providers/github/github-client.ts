import { createPrivateKey } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { normalizePem } from '../http-errors.js';

/** The REST API version Keycard is written against (vendor-api-shapes §1.0). */
export const GITHUB_API_VERSION = '2022-11-28';

export interface GithubAuth {
  token?: string | undefined;
  app?: { app_id: string | number; installation_id: string | number; private_key: string } | undefined;
}

/**
 * An Octokit for one GitHub org: token auth, or GitHub App auth where @octokit/auth-app signs an RS256
 * JWT, exchanges it for an installation token (§1.5) and caches that token until shortly before it
 * expires. No retry or throttling plugin: Keycard's jobs retry with backoff and need to see every
 * failure, classified, rather than have it absorbed inside a call.
 */
export function createOctokit(options: { baseUrl: string; timeoutMs: number; auth: GithubAuth }): Octokit {
  const common = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: 'keycard',
    // Octokit logs every failed request to the console; Keycard reports failures itself, classified,
    // through its own logger, and the console is not where secrets-free structured logs go.
    log: { debug: noop, info: noop, warn: noop, error: noop },
    request: { fetch: githubFetch(options.timeoutMs) },
  };
  const { app, token } = options.auth;
  if (app) {
    const privateKey = normalizePem(app.private_key);
    // Fail at start-up, naming the setting, rather than on the first grant.
    try {
      createPrivateKey(privateKey);
    } catch {
      throw new Error('app.private_key is not a PEM private key');
    }
    const installationId = Number(app.installation_id);
    if (!Number.isSafeInteger(installationId)) throw new Error('app.installation_id must be a number');
    return new Octokit({
      ...common,
      authStrategy: createAppAuth,
      auth: { appId: app.app_id, privateKey, installationId },
    });
  }
  return new Octokit({ ...common, auth: token });
}

function noop(): void {}

/**
 * Every request, including @octokit/auth-app's token exchange, goes through here: it sets the media
 * type and pins the API version as GitHub documents (§1.0), and bounds each call with a timeout so a
 * hung connection becomes a retryable failure instead of a stuck job.
 */
function githubFetch(timeoutMs: number): typeof fetch {
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('accept', 'application/vnd.github+json');
    headers.set('x-github-api-version', GITHUB_API_VERSION);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, headers, signal });
  };
}
