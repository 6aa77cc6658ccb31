import { createServer } from 'node:net';
import type { Provider } from '../../../src/providers/types.js';

type Call = { identity?: string; spec: Record<string, unknown> };
type Rewrite = (call: Call) => Call;

/**
 * A Provider that forwards to the adapter under test, except for the one call after a fault was armed.
 * Conformance fixtures hand this out as `provider`, so "make the NEXT call fail" holds whichever method
 * the suite calls next: the armed call goes to another real adapter instance (e.g. one pointed at a
 * closed port, or logged in as a user without rights) or has its arguments rewritten (e.g. an identity
 * that does not exist). The fault disarms as soon as it is used, so the call after it is normal again.
 */
export class FaultSwitch implements Provider {
  private armed: { via?: Provider; rewrite?: Rewrite } | undefined;

  constructor(readonly real: Provider) {}

  get name(): string {
    return this.real.name;
  }

  get kind(): string {
    return this.real.kind;
  }

  /** The next call is made on `other` (a differently configured instance of the same kind). */
  nextCallVia(other: Provider): void {
    this.armed = { via: other };
  }

  /** The next call has its identity/spec rewritten before reaching the real adapter. */
  nextCallRewritten(rewrite: Rewrite): void {
    this.armed = { rewrite };
  }

  grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    const { target, call } = this.take({ identity, spec });
    return target.grant(call.identity ?? identity, call.spec);
  }

  revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    const { target, call } = this.take({ identity, spec });
    return target.revoke(call.identity ?? identity, call.spec);
  }

  listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const { target, call } = this.take({ spec });
    return target.listHolders(call.spec);
  }

  close(): Promise<void> {
    return this.real.close();
  }

  private take(call: Call): { target: Provider; call: Call } {
    const armed = this.armed;
    this.armed = undefined;
    if (!armed) return { target: this.real, call };
    return { target: armed.via ?? this.real, call: armed.rewrite ? armed.rewrite(call) : call };
  }
}

/** A local TCP port with nothing listening on it: connecting is refused at once, like a server that is down. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
