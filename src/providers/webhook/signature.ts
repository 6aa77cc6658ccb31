import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature, the same scheme as Slack's: HMAC-SHA256 over `<timestamp>.<raw body>` with the
 * shared secret, sent as `X-Keycard-Signature: v1=<hex>` next to `X-Keycard-Request-Timestamp: <unix
 * seconds>`. Binding the timestamp into the MAC lets receivers refuse replays of old requests.
 */
export const SIGNATURE_HEADER = 'x-keycard-signature';
export const TIMESTAMP_HEADER = 'x-keycard-request-timestamp';
export const DELIVERY_HEADER = 'x-keycard-delivery';
/** Receivers refuse requests whose timestamp is further than this from their own clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface VerifyInput {
  secret: string;
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  /** Receiver's clock, unix seconds. */
  nowSeconds: number;
  toleranceSeconds?: number;
}

/** What a receiver runs first; `ok: false` carries why, for the 401 it answers. */
export function verifySignature(input: VerifyInput): { ok: true } | { ok: false; reason: string } {
  const timestamp = Number(input.timestamp);
  if (!input.timestamp || !Number.isInteger(timestamp)) return { ok: false, reason: 'missing or malformed timestamp' };
  if (Math.abs(input.nowSeconds - timestamp) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    return { ok: false, reason: 'timestamp too far from now (replayed or clock skew)' };
  }
  const expected = Buffer.from(sign(input.secret, timestamp, input.body));
  const given = Buffer.from(input.signature ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  return { ok: true };
}
