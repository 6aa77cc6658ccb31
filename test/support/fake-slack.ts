import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API (https://api.slack.com/web): the methods Keycard calls, with
 * Slack's argument names and answers, recording every call. `SLACK_API_URL` points at `apiUrl`.
 * It also receives `response_url` posts, as Slack does for slash commands and button clicks.
 */

export interface FakeUser {
  id: string;
  name: string;
  email?: string;
  deleted?: boolean;
  /** Custom profile field values by field id (`Xf…`), as `users.profile.get` returns them. */
  fields?: Record<string, string>;
}

/** A workspace custom profile field, as `team.profile.get` defines it. */
export interface FakeProfileField {
  id: string;
  label: string;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token: string | null;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  updates: number;
}

const REQUIRED_ARGS: Record<string, string[]> = {
  'chat.postMessage': ['channel'],
  'chat.update': ['channel', 'ts'],
  'chat.postEphemeral': ['channel', 'user'],
  'views.open': ['trigger_id', 'view'],
  'views.update': ['view'],
  'views.publish': ['user_id', 'view'],
  'users.info': ['user'],
  'users.profile.get': ['user'], // optional in Slack (defaults to the caller), but Keycard always names the user
  'usergroups.users.list': ['usergroup'],
  'users.lookupByEmail': ['email'],
};

export class FakeSlack {
  readonly teamId: string;
  readonly token: string;
  readonly calls: RecordedCall[] = [];
  readonly responses: Array<{ path: string; body: Record<string, unknown> }> = [];
  readonly messages = new Map<string, PostedMessage>();
  private readonly users = new Map<string, FakeUser>();
  private readonly usergroups = new Map<string, string[]>();
  private profileFields: FakeProfileField[] = [];
  private readonly throttles = new Map<string, number>();
  private server: Server | null = null;
  private nextTs = 1_700_000_000;
  private nextView = 1;

  readonly appToken = 'xapp-1-test-app-token';
  /** Where `apps.connections.open` sends Socket Mode clients; set by a FakeSocketMode server. */
  socketUrl: string | null = null;

  constructor(options: { teamId?: string; token?: string } = {}) {
    this.teamId = options.teamId ?? 'T0KEYCARD';
    this.token = options.token ?? 'xoxb-test-token';
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  responseUrl(name: string): string {
    return `${this.baseUrl}/response/${name}`;
  }

  addUser(user: FakeUser): this {
    this.users.set(user.id, user);
    return this;
  }

  /** The workspace's custom profile fields (`team.profile.get`). */
  defineProfileFields(fields: FakeProfileField[]): this {
    this.profileFields = fields;
    return this;
  }

  setUsergroup(id: string, members: string[]): this {
    this.usergroups.set(id, members);
    return this;
  }

  /** The next `count` calls of `method` answer 429 with Retry-After, as Slack's rate limiter does. */
  throttle(method: string, count = 1): void {
    this.throttles.set(method, count);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages currently in a channel (a DM is keyed by the user id it was sent to). */
  messagesIn(channel: string): PostedMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel);
  }

  responsesTo(name: string): Array<Record<string, unknown>> {
    return this.responses.filter((r) => r.path === `/response/${name}`).map((r) => r.body);
  }

  /** Polls until `check` returns a truthy value, or fails after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', this.baseUrl);
    if (url.pathname.startsWith('/response/')) {
      this.responses.push({ path: url.pathname, body: JSON.parse(raw || '{}') });
      return send(res, 200, { ok: true });
    }
    if (!url.pathname.startsWith('/api/') || req.method !== 'POST') return send(res, 404, { ok: false, error: 'unknown_method' });
    const method = url.pathname.slice('/api/'.length);
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization ?? null;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : ((args.token as string | undefined) ?? null);
    this.calls.push({ method, args, token });

    const throttled = this.throttles.get(method) ?? 0;
    if (throttled > 0) {
      this.throttles.set(method, throttled - 1);
      res.setHeader('Retry-After', '1');
      return send(res, 429, { ok: false, error: 'ratelimited' });
    }
    if (method === 'apps.connections.open') {
      // Socket Mode: the app-level token (xapp-) opens a WebSocket URL (api.slack.com/methods/apps.connections.open).
      if (!this.socketUrl || token !== this.appToken) return send(res, 200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });
      return send(res, 200, { ok: true, url: this.socketUrl });
    }
    if (token !== this.token) return send(res, 200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });
    const missing = (REQUIRED_ARGS[method] ?? []).find((name) => args[name] === undefined || args[name] === '');
    if (missing) return send(res, 200, { ok: false, error: `missing_argument`, detail: missing });
    return send(res, 200, this.answer(method, args));
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://keycard-test.slack.com/', team: 'Keycard Test', user: 'keycard', team_id: this.teamId, user_id: 'UBOT', bot_id: 'BBOT' };
      case 'users.info': {
        const user = this.users.get(String(args.user));
        if (!user) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: { id: user.id, team_id: this.teamId, name: user.name.toLowerCase(), deleted: user.deleted ?? false, real_name: user.name, profile: { real_name: user.name, display_name: user.name, ...(user.email ? { email: user.email } : {}) } },
        };
      }
      case 'users.profile.get': {
        // https://docs.slack.dev/reference/methods/users.profile.get: custom fields under profile.fields,
        // keyed by field id, each { value, alt }.
        const user = this.users.get(String(args.user));
        if (!user) return { ok: false, error: 'user_not_found' };
        const fields = Object.fromEntries(Object.entries(user.fields ?? {}).map(([id, value]) => [id, { value, alt: '' }]));
        return {
          ok: true,
          profile: { real_name: user.name, display_name: user.name, ...(user.email ? { email: user.email } : {}), fields },
        };
      }
      case 'team.profile.get':
        // https://docs.slack.dev/reference/methods/team.profile.get: the field definitions, a list.
        return {
          ok: true,
          profile: { fields: this.profileFields.map((f, ordering) => ({ id: f.id, ordering, label: f.label, hint: '', type: 'text', possible_values: null, options: null, is_hidden: false })) },
        };
      case 'users.lookupByEmail': {
        // https://docs.slack.dev/reference/methods/users.lookupByEmail: users_not_found for an unknown email.
        const email = String(args.email ?? '').toLowerCase();
        const user = [...this.users.values()].find((u) => u.email?.toLowerCase() === email);
        if (!user) return { ok: false, error: 'users_not_found' };
        return { ok: true, user: { id: user.id, team_id: this.teamId, name: user.name.toLowerCase(), deleted: user.deleted ?? false, profile: { email: user.email } } };
      }
      case 'usergroups.users.list': {
        const members = this.usergroups.get(String(args.usergroup));
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      }
      case 'chat.postMessage': {
        const ts = `${this.nextTs++}.000100`;
        const channel = String(args.channel);
        this.messages.set(`${channel}:${ts}`, { channel, ts, text: String(args.text ?? ''), blocks: parseBlocks(args.blocks), updates: 0 });
        return { ok: true, channel, ts, message: { text: args.text, ts } };
      }
      case 'chat.update': {
        const key = `${String(args.channel)}:${String(args.ts)}`;
        const existing = this.messages.get(key);
        if (!existing) return { ok: false, error: 'message_not_found' };
        this.messages.set(key, { ...existing, text: String(args.text ?? existing.text), blocks: parseBlocks(args.blocks), updates: existing.updates + 1 });
        return { ok: true, channel: args.channel, ts: args.ts };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${this.nextTs++}.000200` };
      case 'views.open':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: `V${this.nextView++}`, hash: `h${this.nextView}`, ...(JSON.parse(String(args.view)) as object) } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}');
  return Object.fromEntries(new URLSearchParams(raw));
}

function parseBlocks(value: unknown): Array<Record<string, unknown>> {
  if (typeof value === 'string') return JSON.parse(value);
  return (value as Array<Record<string, unknown>>) ?? [];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** All visible text of a message's blocks, for assertions that read like a person reading. */
export function visibleText(message: Pick<PostedMessage, 'blocks'>): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (typeof n.text === 'string') out.push(n.text);
      for (const [k, v] of Object.entries(n)) if (k !== 'text' || typeof v !== 'string') walk(v);
    }
  };
  walk(message.blocks);
  return out.join('\n');
}

/** The buttons on a message, in order, as Slack would show them. */
export function buttonsOf(message: Pick<PostedMessage, 'blocks'>): Array<{ action_id: string; value: string; text: { text: string } }> {
  return message.blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements as Array<{ action_id: string; value: string; text: { text: string } }>);
}
