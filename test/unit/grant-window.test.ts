import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import { assertActive, extendedExpiry } from '../../src/domain/grant-window.js';

const activatedAt = new Date('2026-12-01T09:00:00Z');
const H = 3_600_000;

describe('extendedExpiry', () => {
  it('adds the extension to the current end', () => {
    expect(extendedExpiry({ activatedAt, expiresAt: new Date(activatedAt.getTime() + H) }, 30 * 60_000, 3 * H)).toEqual(new Date('2026-12-01T10:30:00Z'));
  });

  it('allows reaching exactly the longest total time, and refuses one second more, saying what is left', () => {
    const grant = { activatedAt, expiresAt: new Date(activatedAt.getTime() + 2 * H) };
    expect(extendedExpiry(grant, H, 3 * H)).toEqual(new Date(activatedAt.getTime() + 3 * H));
    try {
      extendedExpiry(grant, H + 1_000, 3 * H);
      expect.unreachable();
    } catch (error) {
      expect(isDomainError(error, 'extension_too_long')).toBe(true);
      expect((error as { details: { remainingMs: number } }).details.remainingMs).toBe(H);
    }
  });
});

describe('assertActive', () => {
  it('refuses grants that are not active, naming their status', () => {
    expect(() => assertActive({ id: 'g', status: 'active' })).not.toThrow();
    for (const status of ['pending', 'revoking', 'revoked', 'failed'] as const) {
      expect(() => assertActive({ id: 'g', status })).toThrow(expect.objectContaining({ code: 'grant_not_active', details: { status } }));
    }
  });
});
