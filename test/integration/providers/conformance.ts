import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerKinds } from '../../../src/providers/registry.js';
import { ProviderError, type Provider } from '../../../src/providers/types.js';

/**
 * The one suite every provider runs (issue 4): grant → listed → grant again changes nothing → revoke →
 * not listed → revoke again changes nothing → each error class is reported as that class. A target
 * file calls `providerConformance(target)`; the target's `setup()` builds the fixture below against a
 * real server or a local fake.
 */
export interface ConformanceFixture {
  provider: Provider; // the adapter under test
  identity: string; // an identity that exists at the target and holds nothing yet
  spec: Record<string, unknown>; // a grant block (already valid for the kind's grantSchema)
  /** Make the NEXT provider call fail the way a transient fault does (timeout, 429, 5xx, conflict). */
  injectRetryable(): Promise<void>;
  /** Make the NEXT provider call fail permanently (unknown user, missing permission). */
  injectPermanent(): Promise<void>;
  teardown(): Promise<void>;
}

export interface ConformanceTarget {
  name: string;
  available(): Promise<boolean>;
  setup(): Promise<ConformanceFixture>;
}

/** Grant blocks no kind may accept: not an object, or an object with a key the kind does not know. */
const MALFORMED_KEY = 'keycard_conformance_unknown_key';

/** Awaits a provider call that must fail, and returns its ProviderError (failing the test otherwise). */
export async function providerFailure(call: Promise<unknown>): Promise<ProviderError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

export function providerConformance(target: ConformanceTarget): void {
  describe(`provider conformance: ${target.name}`, () => {
    let fixture: ConformanceFixture | undefined;

    beforeAll(async () => {
      // CI (.ci/run) sets KEYCARD_REQUIRE_SERVICES=1: a missing service must fail the run, not pass it by skipping.
      const required = process.env.KEYCARD_REQUIRE_SERVICES === '1';
      const up = await target.available().catch((error: unknown) => {
        if (required) throw error;
        return false;
      });
      if (!up) {
        if (required) {
          throw new Error(`${target.name}: target is not available and KEYCARD_REQUIRE_SERVICES=1`);
        }
        return;
      }
      fixture = await target.setup();
    });

    afterAll(async () => {
      await fixture?.teardown();
    });

    /** Steps share one fixture and run in order; without a target every step is skipped. */
    const step = (title: string, body: (f: ConformanceFixture) => Promise<void>) =>
      it(title, async (ctx) => {
        if (!fixture) return ctx.skip(`${target.name} is not available`);
        await body(fixture);
      });

    const count = (holders: string[], identity: string) => holders.filter((h) => h === identity).length;

    step('accepts its grant block and rejects malformed ones in the kind schema', async ({ provider, spec }) => {
      const kind = providerKinds.get(provider.kind);
      expect(kind, `kind "${provider.kind}" is registered in providerKinds`).toBeDefined();
      expect(kind!.grantSchema.safeParse(spec).success).toBe(true);
      for (const bad of [null, 'role', [], 42, { ...spec, [MALFORMED_KEY]: true }]) {
        expect(kind!.grantSchema.safeParse(bad).success, `rejects ${JSON.stringify(bad)}`).toBe(false);
      }
    });

    step('refuses a malformed grant block at call time with a permanent error', async ({ provider, identity, spec }) => {
      const error = await provider.grant(identity, { ...spec, [MALFORMED_KEY]: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).retryable).toBe(false);
    });

    step('starts with the identity holding nothing', async ({ provider, identity, spec }) => {
      expect(count(await provider.listHolders(spec), identity)).toBe(0);
    });

    step('grant makes the identity a holder', async ({ provider, identity, spec }) => {
      await provider.grant(identity, spec);
      expect(count(await provider.listHolders(spec), identity)).toBe(1);
    });

    step('granting again changes nothing', async ({ provider, identity, spec }) => {
      await provider.grant(identity, spec);
      expect(count(await provider.listHolders(spec), identity)).toBe(1);
    });

    step('revoke removes the holder', async ({ provider, identity, spec }) => {
      await provider.revoke(identity, spec);
      expect(count(await provider.listHolders(spec), identity)).toBe(0);
    });

    step('revoking again succeeds and changes nothing', async ({ provider, identity, spec }) => {
      await provider.revoke(identity, spec);
      expect(count(await provider.listHolders(spec), identity)).toBe(0);
    });

    const expectClass = async (call: Promise<unknown>, retryable: boolean) => {
      const error = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'the call fails').toBeInstanceOf(ProviderError);
      expect((error as ProviderError).retryable).toBe(retryable);
      expect((error as ProviderError).message.length).toBeGreaterThan(0);
    };

    step('reports a transient fault on grant as retryable', async (f) => {
      await f.injectRetryable();
      await expectClass(f.provider.grant(f.identity, f.spec), true);
      // The fault was for one call only: the adapter works again afterwards.
      await f.provider.listHolders(f.spec);
    });

    step('reports a transient fault on revoke as retryable', async (f) => {
      await f.injectRetryable();
      await expectClass(f.provider.revoke(f.identity, f.spec), true);
      await f.provider.revoke(f.identity, f.spec);
    });

    step('reports a permanent fault on grant as not retryable', async (f) => {
      await f.injectPermanent();
      await expectClass(f.provider.grant(f.identity, f.spec), false);
      expect(count(await f.provider.listHolders(f.spec), f.identity)).toBe(0);
    });
  });
}
