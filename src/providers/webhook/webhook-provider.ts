import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseSpec } from '../spec.js';
import { ProviderError, type Provider, type ProviderKind } from '../types.js';
import { DELIVERY_HEADER, sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';
import { httpError } from './webhook-errors.js';

const configSchema = z.strictObject({
  // http(s) is checked when the provider is created: at policy load an env: value is still a placeholder URL.
  url: z.url().describe('The receiver’s http(s) endpoint; every action is a POST to it'),
  secret: z.string().min(32).describe('Shared HMAC secret, at least 32 characters; write env:VAR'),
  timeout_ms: z.number().int().min(100).max(60_000).default(10_000),
});

const attribute = z.union([z.string(), z.number(), z.boolean()]);
const grantSchema = z.strictObject({
  entitlement: z.string().min(1).max(200).describe('What the receiver grants, in its own words, e.g. admin or billing:read'),
  attributes: z.record(z.string(), attribute).optional().describe('Extra values passed through to the receiver as is'),
});

const listReply = z.object({ holders: z.array(z.string()) });

type Config = z.infer<typeof configSchema>;
type GrantSpec = z.infer<typeof grantSchema>;
type Action = 'grant' | 'revoke' | 'list';

/**
 * Grants access in a system Keycard has no adapter for, by calling a receiver the customer runs.
 * Contract (docs/providers/webhook.md): a signed JSON POST per action; 2xx is done; a 404 to revoke
 * means "not held", which is done too; 408/409/425/429/5xx and network failures are retried
 * (honouring Retry-After); any other 4xx is a refusal, with the receiver's reason passed on.
 */
export class WebhookProvider implements Provider {
  readonly kind = 'webhook';

  constructor(readonly name: string, private readonly config: Config) {
    if (!/^https?:$/.test(new URL(config.url).protocol)) throw new Error(`providers.${name}.url: must be an http(s) URL`);
  }

  async grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    await this.call('grant', parseSpec(grantSchema, spec, this.kind), identity);
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    await this.call('revoke', parseSpec(grantSchema, spec, this.kind), identity);
  }

  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const body = await this.call('list', parseSpec(grantSchema, spec, this.kind));
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const reply = listReply.safeParse(parsed);
    if (!reply.success) {
      throw new ProviderError('the webhook receiver answered list without a JSON body of the form {"holders": [...]}', { retryable: false });
    }
    return [...new Set(reply.data.holders)].sort();
  }

  async close(): Promise<void> {
    // No connection of our own to close: fetch pools sockets process-wide.
  }

  /** One signed POST; resolves with the response text on success, throws a classified ProviderError. */
  private async call(action: Action, spec: GrantSpec, identity?: string): Promise<string> {
    const deliveryId = randomUUID();
    const body = JSON.stringify({
      version: 1,
      action,
      provider: this.name,
      delivery_id: deliveryId,
      ...(identity === undefined ? {} : { identity }),
      entitlement: spec.entitlement,
      attributes: spec.attributes ?? {},
    });
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetch(this.config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Keycard-Webhook/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(this.config.secret, timestamp, body),
          [DELIVERY_HEADER]: deliveryId,
        },
        body,
        // A redirect would resend a signed grant to wherever the Location points: never follow one.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.timeout_ms),
      });
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError';
      const why = timedOut ? `no answer within ${this.config.timeout_ms} ms` : ((error as Error)?.cause as Error)?.message ?? (error as Error)?.message;
      throw new ProviderError(`the webhook receiver could not be reached (${action}: ${why})`, { retryable: true, cause: error });
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return text;
    if (action === 'revoke' && response.status === 404) return text; // not held: already revoked
    if (response.status >= 300 && response.status < 400) {
      throw new ProviderError(`the webhook receiver redirected ${action} (HTTP ${response.status}); configure its final URL`, { retryable: false });
    }
    throw httpError(action, response.status, text, response.headers.get('retry-after'), Date.now());
  }
}

export const webhookKind: ProviderKind<Config, GrantSpec> = {
  kind: 'webhook',
  configSchema,
  grantSchema,
  create: (name, config) => new WebhookProvider(name, config),
};
