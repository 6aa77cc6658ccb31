import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** True when the request carries `Authorization: Bearer <expected>`; compared in constant time. */
export function hasBearer(req: IncomingMessage, expected: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match !== null && sameSecret(match[1]!, expected);
}

/** Constant-time comparison of two secrets of any length (hashing first evens the lengths). */
export function sameSecret(offered: string, expected: string): boolean {
  const a = createHash('sha256').update(offered).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Why a credential was refused, for the audit log; never the credential itself. */
export function bearerProblem(req: IncomingMessage): 'missing_token' | 'wrong_token' {
  return req.headers.authorization ? 'wrong_token' : 'missing_token';
}

/** Where a request came from, for the audit log of refusals. */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
