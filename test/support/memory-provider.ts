import pino from 'pino';
import { z } from 'zod';
import { canonicalJson } from '../../src/domain/grant-rules.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Principal } from '../../src/domain/types.js';
import type { Policy } from '../../src/policy/policy.js';
import type { Directory, JobName, ServiceDeps } from '../../src/services/deps.js';
import type { Store } from '../../src/store/store.js';
import { ProviderError, type Provider, type ProviderKind } from '../../src/providers/types.js';

/**
 * A provider kept in memory, for tests of Keycard's own logic where the target system is not the point
 * (review campaigns of 100,000 holders, a provider that fails on purpose). Real providers are tested
 * against real targets in test/integration/providers.
 */
export class MemoryProvider implements Provider {
  readonly kind = 'memory';
  private readonly entitlements = new Map<string, Set<string>>();
  /** The next N revocations fail with a retryable error. */
  failRevokes = 0;
  /** The next N listings fail with a retryable error. */
  failListings = 0;
  readonly revoked: string[] = [];

  constructor(readonly name: string) {}

  private holdersOf(spec: Record<string, unknown>): Set<string> {
    const key = canonicalJson(spec);
    if (!this.entitlements.has(key)) this.entitlements.set(key, new Set());
    return this.entitlements.get(key)!;
  }

  async grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    this.holdersOf(spec).add(identity);
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    if (this.failRevokes > 0) {
      this.failRevokes -= 1;
      throw new ProviderError('target unavailable', { retryable: true });
    }
    this.holdersOf(spec).delete(identity);
    this.revoked.push(identity);
  }

  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    if (this.failListings > 0) {
      this.failListings -= 1;
      throw new ProviderError('target unavailable', { retryable: true });
    }
    return [...this.holdersOf(spec)];
  }

  /** Access given outside Keycard. */
  add(spec: Record<string, unknown>, identities: Iterable<string>): void {
    const set = this.holdersOf(spec);
    for (const identity of identities) set.add(identity);
  }

  has(spec: Record<string, unknown>, identity: string): boolean {
    return this.holdersOf(spec).has(identity);
  }

  async close(): Promise<void> {}
}

export const memoryKind: ProviderKind<Record<string, unknown>, { group: string }> = {
  kind: 'memory',
  configSchema: z.looseObject({}),
  grantSchema: z.strictObject({ group: z.string().min(1) }),
  create: (name) => new MemoryProvider(name),
};

export class StaticDirectory implements Directory {
  readonly usergroups = new Map<string, string[]>();
  readonly managers = new Map<string, string>();

  async principal(slackUserId: string): Promise<Principal> {
    return { slackUserId, email: `${slackUserId.toLowerCase()}@example.com`, displayName: slackUserId };
  }

  async usergroupMembers(usergroupId: string): Promise<string[]> {
    return this.usergroups.get(usergroupId) ?? [];
  }

  async managersOf(ids: readonly string[]): Promise<Map<string, string>> {
    return new Map(ids.flatMap((id) => (this.managers.has(id) ? [[id, this.managers.get(id)!] as [string, string]] : [])));
  }
}

/** Service dependencies for one "replica": its own worker id, a shared store, provider and clock. */
export function serviceDeps(options: { store: Store; policy: Policy; provider: MemoryProvider; clock: Clock; workerId: string; directory?: Directory }): ServiceDeps & { woken: JobName[] } {
  const woken: JobName[] = [];
  return {
    store: options.store,
    clock: options.clock,
    policy: options.policy,
    providers: new Map([[options.provider.name, options.provider]]),
    directory: options.directory ?? new StaticDirectory(),
    logger: pino({ level: process.env.KEYCARD_TEST_LOG ?? 'silent' }),
    wake: (job) => void woken.push(job),
    workerId: options.workerId,
    woken,
  };
}
