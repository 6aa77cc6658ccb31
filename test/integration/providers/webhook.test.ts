import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/providers/types.js';
import { sign, verifySignature } from '../../../src/providers/webhook/signature.js';
import { parseRetryAfter } from '../../../src/providers/webhook/webhook-errors.js';
import { webhookKind, WebhookProvider } from '../../../src/providers/webhook/webhook-provider.js';
import { providerConformance, type ConformanceFixture } from './conformance.js';
import { TestReceiver } from './webhook-receiver.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

async function webhookFixture(): Promise<ConformanceFixture> {
  const receiver = new TestReceiver(SECRET);
  await receiver.start();
  receiver.knownIdentities.add('ana');
  const provider = new WebhookProvider('conformance', { url: receiver.url, secret: SECRET, timeout_ms: 2_000 });
  return {
    provider,
    identity: 'ana',
    spec: { entitlement: 'billing:admin', attributes: { tenant: 'acme' } },
    // The receiver itself fails its next request, so no provider swap is needed.
    injectRetryable: async () => receiver.failNext({ status: 503, headers: { 'retry-after': '7' } }),
    injectPermanent: async () =>
      receiver.failNext({ status: 403, headers: { 'content-type': 'application/json' }, body: '{"error":"Keycard may not manage billing:admin"}' }),
    async teardown() {
      await provider.close();
      await receiver.stop();
    },
  };
}

// The receiver is local and in-process: always available.
providerConformance({ name: 'webhook', available: async () => true, setup: webhookFixture });

describe('webhook provider specifics', () => {
  const receiver = new TestReceiver(SECRET);
  let provider: WebhookProvider;
  const spec = { entitlement: 'reports:read' };

  beforeAll(async () => {
    await receiver.start();
    receiver.knownIdentities.add('ben');
    provider = new WebhookProvider('specifics', { url: receiver.url, secret: SECRET, timeout_ms: 300 });
  });
  afterAll(() => receiver.stop());

  const failure = (call: Promise<unknown>) => call.then(() => expect.fail('expected a failure'), (e: unknown) => e as ProviderError);

  it('signs timestamp.body with HMAC-SHA256 and sends the documented body', async () => {
    await provider.grant('ben', spec);
    const call = receiver.calls.at(-1)!;
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['x-keycard-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(call.headers['x-keycard-delivery']).toBe(call.body.delivery_id);
    expect(call.body).toMatchObject({ version: 1, action: 'grant', provider: 'specifics', identity: 'ben', entitlement: 'reports:read', attributes: {} });
  });

  it('verifies signatures: a changed body, wrong secret or stale timestamp fails', () => {
    const now = 1_800_000_000;
    const body = '{"action":"grant"}';
    const signature = sign(SECRET, now, body);
    const check = (o: Partial<Parameters<typeof verifySignature>[0]>) =>
      verifySignature({ secret: SECRET, body, timestamp: String(now), signature, nowSeconds: now, ...o }).ok;
    expect(check({})).toBe(true);
    expect(check({ body: '{"action":"revoke"}' })).toBe(false);
    expect(check({ secret: `${SECRET}x` })).toBe(false);
    expect(check({ nowSeconds: now + 301 })).toBe(false);
    expect(check({ signature: undefined })).toBe(false);
  });

  it('a receiver that refuses the signature is a permanent failure', async () => {
    const wrong = new WebhookProvider('wrong-secret', { url: receiver.url, secret: `${SECRET}-rotated`, timeout_ms: 300 });
    const error = await failure(wrong.grant('ben', spec));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('HTTP 401: bad signature');
  });

  it('passes Retry-After on as retryAfterMs, in seconds or as an HTTP date', async () => {
    receiver.failNext({ status: 429, headers: { 'retry-after': '30' } });
    const error = await failure(provider.grant('ben', spec));
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 30_000 });
    expect(error.message).toContain('retry after 30s');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('a receiver that does not answer in time is retryable', async () => {
    receiver.failNext({ hang: true });
    const error = await failure(provider.grant('ben', spec));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('no answer within 300 ms');
  });

  it('404 on revoke is success; 404 on grant is a permanent refusal with the receiver’s reason', async () => {
    await provider.revoke('nobody', spec);
    const error = await failure(provider.grant('nobody', spec));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('no user nobody');
  });

  it('never follows a redirect (it would resend a signed grant elsewhere)', async () => {
    receiver.failNext({ status: 307, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    expect(await failure(provider.grant('ben', spec))).toMatchObject({ retryable: false });
  });

  it('a list reply without {"holders": [...]} is an error', async () => {
    receiver.failNext({ status: 200, body: 'ok' });
    expect(await failure(provider.listHolders(spec))).toBeInstanceOf(ProviderError);
  });

  it('checks its settings: http(s) URL and a secret of 32 characters or more', () => {
    expect(webhookKind.configSchema.safeParse({ url: receiver.url, secret: 'short' }).success).toBe(false);
    expect(() => webhookKind.create('x', { url: 'ftp://example.com/', secret: SECRET, timeout_ms: 1000 })).toThrow(/http\(s\)/);
  });
});
