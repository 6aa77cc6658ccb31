import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/providers/webhook/signature.js';

export interface ChaosCall {
  action: string;
  identity: string;
  /** What the receiver answered; 0 while held, or when the caller went away first. */
  status: number;
  at: number;
}

interface HeldRevoke {
  identity: string;
  since: number;
  res: ServerResponse;
  /** Applies the revoke and answers 200 (to nobody, if the caller died meanwhile). */
  release(): Promise<void>;
}

/**
 * A webhook receiver (docs/providers/webhook.md) for chaos tests, on 127.0.0.1. Unlike the provider
 * tests' one-shot faults it can fail by a pattern (`fail`), park revokes unanswered (`holdRevokes`), and
 * run a check at the last moment before it confirms a revoke (`beforeRevokeConfirmed`), so a test can
 * see the database at the instant the receiver still holds the access.
 */
export class ChaosReceiver {
  readonly calls: ChaosCall[] = [];
  /** Who holds the entitlement right now, by identity (one entitlement per test). */
  readonly holders = new Set<string>();
  readonly held: HeldRevoke[] = [];
  /** When each identity's revoke was last confirmed (the holder removed and 2xx/404 sent). */
  readonly revokeConfirmedAt = new Map<string, number>();
  /** Returns a status to answer instead of doing the call (e.g. 503), or undefined to do it. */
  fail: ((call: { action: string; identity: string; n: number }) => number | undefined) | undefined;
  holdRevokes = false;
  beforeRevokeConfirmed: ((identity: string) => Promise<void>) | undefined;
  /** Errors raised by `beforeRevokeConfirmed`: a test asserts this stays empty. */
  readonly violations: string[] = [];
  private server: Server | undefined;
  private count = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/keycard`;
  }

  callsOf(action: string): ChaosCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  /** Resolves the next time a revoke is parked (with `holdRevokes` on). */
  async waitForHeld(timeoutMs: number): Promise<HeldRevoke> {
    const deadline = Date.now() + timeoutMs;
    while (this.held.length === 0) {
      if (Date.now() > deadline) throw new Error(`no revoke reached the receiver within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.held.shift()!;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => void this.handle(req.headers, raw, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const held of this.held.splice(0)) held.res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(headers: Record<string, string | string[] | undefined>, raw: string, res: ServerResponse): Promise<void> {
    const reply = (call: ChaosCall | undefined, status: number, body: unknown) => {
      if (call) call.status = status;
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const verified = verifySignature({
      secret: this.secret,
      body: raw,
      timestamp: headers[TIMESTAMP_HEADER] as string | undefined,
      signature: headers[SIGNATURE_HEADER] as string | undefined,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!verified.ok) return reply(undefined, 401, { error: verified.reason });
    const body = JSON.parse(raw) as { action: string; identity?: string };
    const identity = body.identity ?? '';
    const call: ChaosCall = { action: body.action, identity, status: 0, at: Date.now() };
    this.calls.push(call);

    const injected = this.fail?.({ action: body.action, identity, n: this.count++ });
    if (injected) return reply(call, injected, { error: 'injected failure' });

    switch (body.action) {
      case 'grant':
        this.holders.add(identity);
        return reply(call, 200, {});
      case 'list':
        return reply(call, 200, { holders: [...this.holders] });
      case 'revoke': {
        const confirm = async () => {
          if (this.beforeRevokeConfirmed) {
            await this.beforeRevokeConfirmed(identity).catch((error: Error) => this.violations.push(error.message));
          }
          const held = this.holders.delete(identity);
          this.revokeConfirmedAt.set(identity, Date.now());
          reply(call, held ? 200 : 404, held ? {} : { error: 'not held' });
        };
        if (!this.holdRevokes) return confirm();
        this.held.push({ identity, since: Date.now(), res, release: confirm });
        return;
      }
      default:
        return reply(call, 400, { error: `unknown action ${body.action}` });
    }
  }
}
