import { describe, expect, it } from 'vitest';
import {
  canTransitionGrant,
  canonicalJson,
  entitlementKey,
  expiryFromActivation,
  retryDelayMs,
} from '../../src/domain/grant-rules.js';
import type { GrantStatus } from '../../src/domain/types.js';

const STATUSES: GrantStatus[] = ['pending', 'active', 'revoking', 'revoked', 'failed'];

describe('canTransitionGrant', () => {
  it('allows exactly pending → active | failed | revoking, active → revoking, revoking → revoked', () => {
    const allowed = STATUSES.flatMap((from) => STATUSES.filter((to) => canTransitionGrant(from, to)).map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual(['active→revoking', 'pending→active', 'pending→failed', 'pending→revoking', 'revoking→revoked']);
  });

  it('never skips revoking: active cannot become revoked directly', () => {
    expect(canTransitionGrant('active', 'revoked')).toBe(false);
  });
});

describe('expiryFromActivation', () => {
  it('counts the window from activation', () => {
    const activatedAt = new Date('2026-12-01T12:34:56.789Z');
    expect(expiryFromActivation(activatedAt, 2 * 3_600_000).toISOString()).toBe('2026-12-01T14:34:56.789Z');
  });

  it('does not modify the activation date', () => {
    const activatedAt = new Date('2026-12-01T12:00:00.000Z');
    expiryFromActivation(activatedAt, 60_000);
    expect(activatedAt.toISOString()).toBe('2026-12-01T12:00:00.000Z');
  });
});

describe('retryDelayMs', () => {
  it('doubles from two seconds', () => {
    expect([1, 2, 3, 4, 5].map(retryDelayMs)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it('treats zero or negative attempts as the first', () => {
    expect(retryDelayMs(0)).toBe(2_000);
    expect(retryDelayMs(-3)).toBe(2_000);
  });

  it('is capped at five minutes, even after very many attempts', () => {
    expect(retryDelayMs(9)).toBe(300_000);
    expect(retryDelayMs(10_000)).toBe(300_000);
  });

  it('never decreases', () => {
    for (let n = 1; n < 50; n += 1) expect(retryDelayMs(n + 1)).toBeGreaterThanOrEqual(retryDelayMs(n));
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('serialises equal values identically whatever the key order', () => {
    expect(canonicalJson({ role: 'ro', db: 'x', opts: { b: true, a: false } })).toBe(
      canonicalJson({ opts: { a: false, b: true }, db: 'x', role: 'ro' }),
    );
  });

  it('keeps array order and drops undefined properties', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('escapes keys and strings as JSON does', () => {
    expect(JSON.parse(canonicalJson({ 'we"ird': 'line\nbreak' }))).toEqual({ 'we"ird': 'line\nbreak' });
  });
});

describe('entitlementKey', () => {
  it('is the same for the same provider, identity and spec in any key order', () => {
    expect(entitlementKey('prod-pg', 'ana', { role: 'ro', schema: 'public' })).toBe(
      entitlementKey('prod-pg', 'ana', { schema: 'public', role: 'ro' }),
    );
  });

  it('differs when provider, identity or spec differ', () => {
    const base = entitlementKey('prod-pg', 'ana', { role: 'ro' });
    expect(new Set([
      base,
      entitlementKey('stage-pg', 'ana', { role: 'ro' }),
      entitlementKey('prod-pg', 'bob', { role: 'ro' }),
      entitlementKey('prod-pg', 'ana', { role: 'rw' }),
    ]).size).toBe(4);
  });
});

describe('canonicalJson of values JSON would convert', () => {
  it('writes a Date as its ISO string, as JSON and jsonb store it', () => {
    const at = new Date('2026-12-01T09:00:00.000Z');
    expect(canonicalJson({ at })).toBe('{"at":"2026-12-01T09:00:00.000Z"}');
    expect(canonicalJson({ at })).toBe(canonicalJson(JSON.parse(JSON.stringify({ at }))));
  });
});
