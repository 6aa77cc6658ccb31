import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Slack's side of Socket Mode (api.slack.com/apis/socket-mode): sends `hello` on connect, delivers
 * envelopes (`slash_commands`, `interactive`, `events_api`) and resolves when the app acknowledges an
 * envelope by echoing its `envelope_id`.
 */
export class FakeSocketMode {
  private server: WebSocketServer | null = null;
  private socket: WebSocket | null = null;
  private readonly acks = new Map<string, (payload: unknown) => void>();
  private connected: Promise<void>;
  private markConnected!: () => void;

  constructor() {
    this.connected = new Promise((resolve) => (this.markConnected = resolve));
  }

  async start(): Promise<string> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => this.server!.once('listening', () => resolve()));
    this.server.on('connection', (socket) => {
      this.socket = socket;
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (message.envelope_id) this.acks.get(message.envelope_id)?.(message.payload);
      });
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0KEYCARD' } }));
      this.markConnected();
    });
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/link`;
  }

  waitForClient(): Promise<void> {
    return this.connected;
  }

  /** Delivers one envelope and resolves with the payload of the app's acknowledgement. */
  deliver(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>): Promise<unknown> {
    if (!this.socket) throw new Error('no Socket Mode client connected');
    const envelopeId = randomUUID();
    const acked = new Promise<unknown>((resolve) => this.acks.set(envelopeId, resolve));
    this.socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api' }));
    return acked;
  }

  async stop(): Promise<void> {
    for (const client of this.server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
