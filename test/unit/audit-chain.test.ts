import { describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH, verifyChain, type AuditEntry, type ChainedAuditEvent } from '../../src/domain/audit-chain.js';

function entry(n: number): AuditEntry {
  return {
    at: new Date(Date.UTC(2026, 11, 1, 9, n)),
    actor: n % 2 ? 'system' : 'U0ANA',
    action: 'request.submitted',
    subjectType: 'request',
    subjectId: `req-${n}`,
    data: { n, nested: { z: 1, a: [n] } },
  };
}

/** Chains entries the way the store does: each hash covers the previous hash and the content. */
function chain(count: number, prevHash = GENESIS_HASH, firstId = 1): ChainedAuditEvent[] {
  const events: ChainedAuditEvent[] = [];
  let previous = prevHash;
  for (let i = 0; i < count; i += 1) {
    const e = entry(firstId + i);
    const hash = auditHash(previous, e);
    events.push({ ...e, id: firstId + i, prevHash: previous, hash });
    previous = hash;
  }
  return events;
}

describe('auditHash', () => {
  it('is a sha256 hex digest', () => {
    expect(auditHash(GENESIS_HASH, entry(1))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order inside data', () => {
    const a = { ...entry(1), data: { x: 1, y: 2 } };
    const b = { ...entry(1), data: { y: 2, x: 1 } };
    expect(auditHash(GENESIS_HASH, a)).toBe(auditHash(GENESIS_HASH, b));
  });

  it('changes with the previous hash and with every field', () => {
    const base = entry(1);
    const variants: AuditEntry[] = [
      { ...base, at: new Date(base.at.getTime() + 1) },
      { ...base, actor: 'U0EVE' },
      { ...base, action: 'request.approved' },
      { ...base, subjectType: 'grant' },
      { ...base, subjectId: 'req-2' },
      { ...base, data: { n: 2 } },
    ];
    const hashes = new Set([auditHash(GENESIS_HASH, base), auditHash('f'.repeat(64), base), ...variants.map((v) => auditHash(GENESIS_HASH, v))]);
    expect(hashes.size).toBe(2 + variants.length);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and returns its last hash', () => {
    const events = chain(5);
    expect(verifyChain(events)).toEqual({ ok: true, checked: 5, lastHash: events[4]!.hash });
  });

  it('accepts an empty chain', () => {
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, lastHash: GENESIS_HASH });
  });

  it('names the first event whose content was edited', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, data: { ...events[2]!.data, n: 999 } };
    events[3] = { ...events[3]!, actor: 'U0EVE' };
    const verdict = verifyChain(events);
    expect(verdict).toMatchObject({ ok: false, brokenAt: 3, checked: 2 });
    expect(verdict.ok === false && verdict.why).toMatch(/content/);
  });

  it('names an event whose prev_hash does not link to the one before', () => {
    const events = chain(4);
    events[1] = { ...events[1]!, prevHash: 'a'.repeat(64) };
    const verdict = verifyChain(events);
    expect(verdict).toMatchObject({ ok: false, brokenAt: 2, checked: 1 });
    expect(verdict.ok === false && verdict.why).toMatch(/prev_hash/);
  });

  it('detects a deleted event in the middle', () => {
    const events = chain(4);
    events.splice(1, 1);
    expect(verifyChain(events)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('detects a forged event rehashed over edited content when its successor still links to the old hash', () => {
    const events = chain(3);
    const forged = { ...events[1]!, data: { n: -1 } };
    events[1] = { ...forged, hash: auditHash(forged.prevHash, forged) };
    expect(verifyChain(events)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('continues from a checkpoint (prevHash and count of a previous page)', () => {
    const events = chain(6);
    const first = verifyChain(events.slice(0, 3));
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(verifyChain(events.slice(3), first.lastHash, first.checked)).toEqual({ ok: true, checked: 6, lastHash: events[5]!.hash });
    expect(verifyChain(events.slice(3))).toMatchObject({ ok: false, brokenAt: 4 });
  });
});
