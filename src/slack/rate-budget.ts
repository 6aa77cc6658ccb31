import { ErrorCode, WebClient, type WebAPICallResult, type WebClientOptions } from '@slack/web-api';
import type { Clock } from '../domain/clock.js';
import type { SlackRateRepo } from '../store/slack-rate-repo.js';

/** Slack's documented tiers, per method per workspace (api.slack.com/apis/rate-limits), per minute. */
const PER_MINUTE: Record<string, number> = {
  'chat.update': 50, // Tier 3
  'chat.postEphemeral': 100, // Tier 4
  'users.info': 100, // Tier 4
  'users.profile.get': 100, // Tier 4
  'usergroups.users.list': 20, // Tier 2
  'conversations.open': 50, // Tier 3
};
const DEFAULT_PER_MINUTE = 50;
/** chat.postMessage allows about one message per second per channel, with short bursts. */
const POST_PER_CHANNEL_PER_MINUTE = 60;
const WINDOW_MS = 60_000;

export interface RateLimit {
  bucket: string;
  limit: number;
}

/** Which budget a call draws on. */
export function rateLimitFor(method: string, options: Record<string, unknown> | undefined): RateLimit {
  if (method === 'chat.postMessage') return { bucket: `chat.postMessage:${String(options?.channel ?? '')}`, limit: POST_PER_CHANNEL_PER_MINUTE };
  return { bucket: method, limit: PER_MINUTE[method] ?? DEFAULT_PER_MINUTE };
}

/** The error Slack's client raises on a 429, so callers handle our own pacing the same way. */
export function rateLimitedError(retryAfterSeconds: number): Error {
  return Object.assign(new Error(`rate limited for ${retryAfterSeconds}s`), { code: ErrorCode.RateLimitedError, retryAfter: retryAfterSeconds });
}

/**
 * A WebClient whose calls draw on a budget shared by all replicas through PostgreSQL, and which
 * shares a 429's Retry-After with them. When a bucket is spent or blocked it refuses the call with a
 * rate-limit error, and the outbox reschedules the delivery (it never waits in memory).
 */
export class BudgetedWebClient extends WebClient {
  constructor(
    token: string,
    options: WebClientOptions,
    private readonly budget: SlackRateRepo,
    private readonly clock: Clock,
    private readonly onError: (method: string, error: string) => void = () => {},
  ) {
    super(token, { ...options, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    const { bucket, limit } = rateLimitFor(method, options);
    const now = this.clock.now();
    const blocked = await this.budget.blockedUntil(bucket, now);
    if (blocked) throw rateLimitedError(Math.ceil((blocked.getTime() - now.getTime()) / 1000));
    const windowStart = new Date(Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS);
    if (!(await this.budget.take(bucket, windowStart, limit))) {
      throw rateLimitedError(Math.ceil((windowStart.getTime() + WINDOW_MS - now.getTime()) / 1000));
    }
    try {
      return await super.apiCall(method, options);
    } catch (error) {
      const e = error as { code?: string; retryAfter?: number; data?: { error?: string } };
      this.onError(method, e.code === ErrorCode.RateLimitedError ? 'ratelimited' : (e.data?.error ?? e.code ?? 'unknown'));
      if (e.code === ErrorCode.RateLimitedError) await this.budget.block(bucket, new Date(now.getTime() + (e.retryAfter ?? 1) * 1000));
      throw error;
    }
  }
}
