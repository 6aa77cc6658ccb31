import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../../src/providers/webhook/signature.js';

export interface ReceivedCall {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

type Fault = { status: number; headers?: Record<string, string>; body?: string } | { hang: true };

/**
 * A webhook receiver as a customer would write one, on 127.0.0.1 and an ephemeral port: it checks the
 * signature and timestamp of every request, keeps holders per entitlement in memory, knows a fixed set
 * of identities, and can be told to answer the next request with a fault.
 */
export class TestReceiver {
  readonly calls: ReceivedCall[] = [];
  readonly knownIdentities = new Set<string>();
  private readonly holders = new Map<string, Set<string>>();
  private nextFault: Fault | undefined;
  private server: Server | undefined;
  url = '';

  constructor(private readonly secret: string) {}

  failNext(fault: Fault): void {
    this.nextFault = fault;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        };
        const verified = verifySignature({
          secret: this.secret,
          body: raw,
          timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined,
          signature: req.headers[SIGNATURE_HEADER] as string | undefined,
          nowSeconds: Math.floor(Date.now() / 1000),
        });
        if (!verified.ok) return reply(401, { error: verified.reason });
        const body = JSON.parse(raw) as { action: string; identity?: string; entitlement: string };
        this.calls.push({ headers: req.headers, body });

        const fault = this.nextFault;
        this.nextFault = undefined;
        if (fault && 'hang' in fault) return; // never answers: the caller's timeout must fire
        if (fault) return res.writeHead(fault.status, fault.headers).end(fault.body ?? '');

        const holders = this.holders.get(body.entitlement) ?? new Set<string>();
        this.holders.set(body.entitlement, holders);
        switch (body.action) {
          case 'list':
            return reply(200, { holders: [...holders] });
          case 'grant':
            if (!this.knownIdentities.has(body.identity ?? '')) return reply(404, { error: `no user ${body.identity}` });
            holders.add(body.identity!);
            return reply(200, {});
          case 'revoke':
            if (!holders.delete(body.identity ?? '')) return reply(404, { error: 'not held' });
            return reply(200, {});
          default:
            return reply(400, { error: `unknown action ${body.action}` });
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}/keycard`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
