import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RecordedCall } from './http-fake.js';

/**
 * Verifies an AWS Signature Version 4 `Authorization` header (vendor-api-shapes §3.0) on a request
 * with a path of `/` and no query string, as every AWS JSON 1.1 call is. Recomputes the signature with
 * the test secret: a header that is merely present and well-formed is not enough.
 */
export function verifySigV4(
  call: RecordedCall,
  expected: { accessKeyId: string; secretAccessKey: string; region: string; service: string },
): string | null {
  const authorization = String(call.headers.authorization ?? '');
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return `Authorization is not a SigV4 header: ${authorization.slice(0, 60)}`;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  if (accessKeyId !== expected.accessKeyId) return `signed with access key ${accessKeyId}`;
  if (region !== expected.region) return `credential scope region ${region}, expected ${expected.region}`;
  if (service !== expected.service) return `credential scope service ${service}, expected ${expected.service}`;

  const amzDate = String(call.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date!)) return `X-Amz-Date "${amzDate}" missing or not the scope's date`;
  const skew = Math.abs(Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`) - Date.now());
  if (skew > 15 * 60_000) return 'Signature expired (X-Amz-Date more than 15 minutes from now)';

  const names = signedHeaders!.split(';');
  for (const required of ['host', 'x-amz-date']) if (!names.includes(required)) return `SignedHeaders lacks ${required}`;
  if (call.headers['x-amz-target'] && !names.includes('x-amz-target')) return 'SignedHeaders lacks x-amz-target';
  const canonicalHeaders = names.map((n) => `${n}:${String(call.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [call.method, call.path, '', canonicalHeaders, signedHeaders, sha256(call.body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${expected.secretAccessKey}`, date!);
  for (const part of [region!, service!, 'aws4_request']) key = hmac(key, part);
  const computed = createHmac('sha256', key).update(stringToSign).digest();
  if (!timingSafeEqual(computed, Buffer.from(signature!, 'hex'))) return 'The request signature we calculated does not match the signature you provided';
  return null;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
