import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';

/** An RSA key pair made per test run: the private half goes to the provider, the public half to the fake. */
export function testRsaKeys(): { privateKeyPem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey };
}

export type JwtCheck =
  | { ok: true; header: Record<string, unknown>; claims: Record<string, unknown> }
  | { ok: false; reason: string };

/** Verifies a compact JWS signed RS256 by `publicKey`; claims are returned for the caller's own checks. */
export function verifyRs256(token: string, publicKey: KeyObject): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a compact JWS (three dot-separated parts)' };
  const [h, c, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'header or claims are not base64url JSON' };
  }
  if (header.alg !== 'RS256') return { ok: false, reason: `alg is ${String(header.alg)}, expected RS256` };
  const valid = verify('RSA-SHA256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'));
  if (!valid) return { ok: false, reason: 'signature does not verify with the test public key' };
  return { ok: true, header, claims };
}
