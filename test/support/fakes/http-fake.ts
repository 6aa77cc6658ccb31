import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Shared plumbing for the vendor fakes (GitHub, Okta, AWS, Kubernetes): a node:http server on an
 * ephemeral 127.0.0.1 port that records every call, can be told how to fail the next call, and keeps a
 * list of protocol violations. A fake answers a violation the way the vendor would (400/401/415…) AND
 * records it, so a test can assert `violations` is empty: a client that "works" only because the fake
 * was lenient would otherwise pass.
 */

export interface RecordedCall {
  method: string;
  /** Raw path as sent, without the query string (percent-encoding kept). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the next call fails: an answer the vendor gives, or `hang` (no answer: the client must time out). */
export type Failure =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { hang: true };

export interface FakeRequest extends RecordedCall {
  /** Records a protocol violation; the fake then answers with the vendor's error for it. */
  violation(message: string): void;
}

export type Handler = (req: FakeRequest, res: ServerResponse) => void | Promise<void>;

export class HttpFake {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  private readonly failures: Array<{ failure: Failure; when: ((call: RecordedCall) => boolean) | undefined }> = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly handler: Handler,
    /** Decides whether a call is one a failure may be injected into (e.g. skip token exchanges). */
    private readonly failable: (call: RecordedCall) => boolean = () => true,
    /** The vendor's error answer for a failure given only a status. */
    private readonly errorBody: (status: number) => unknown = (status) => ({ status }),
    /** Serve HTTPS with this certificate (for clients that refuse plain HTTP). */
    private readonly tls?: { key: string; cert: string },
  ) {}

  /**
   * The next failable call (matching `when`, if given) fails this way. Queued: call several times to
   * fail several calls. `when` lets a test fail the write rather than the read that precedes it.
   */
  failNext(failure: Failure, when?: (call: RecordedCall) => boolean): void {
    this.failures.push({ failure, when });
  }

  pendingFailures(): number {
    return this.failures.length;
  }

  callsTo(method: string, pathPattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && pathPattern.test(c.path));
  }

  async start(): Promise<string> {
    const listener = (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res);
    this.server = this.tls ? createTlsServer(this.tls, listener) : createServer(listener);
    this.server.on(this.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `${this.tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    // Hung calls keep their sockets open; close them so the server can stop.
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.calls.push(call);

    const armed = this.failable(call) ? this.failures.findIndex((f) => !f.when || f.when(call)) : -1;
    if (armed >= 0) {
      const { failure } = this.failures.splice(armed, 1)[0]!;
      if ('hang' in failure) return; // never answer; stop() destroys the socket
      sendJson(res, failure.status, failure.body ?? this.errorBody(failure.status), failure.headers);
      return;
    }

    const request: FakeRequest = { ...call, violation: (message) => this.violations.push(`${call.method} ${call.path}: ${message}`) };
    try {
      await this.handler(request, res);
    } catch (error) {
      this.violations.push(`${call.method} ${call.path}: fake crashed: ${(error as Error).stack}`);
      if (!res.headersSent) sendJson(res, 500, this.errorBody(500));
    }
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json; charset=utf-8'): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text).toString(), ...headers });
  res.end(text);
}

/** Parses a JSON body, recording a violation (and returning undefined) when it is not JSON. */
export function parseJsonBody(req: FakeRequest): unknown {
  try {
    return JSON.parse(req.body);
  } catch {
    req.violation(`body is not JSON: ${req.body.slice(0, 80)}`);
    return undefined;
  }
}

export function header(req: RecordedCall, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
