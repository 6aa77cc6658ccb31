import { createHmac } from 'node:crypto';

/**
 * Builds requests exactly as Slack sends them to `POST /slack/events`: form-encoded bodies, signed
 * with `v0=HMAC-SHA256(signing secret, "v0:{timestamp}:{body}")` in X-Slack-Signature
 * (https://api.slack.com/authentication/verifying-requests-from-slack).
 */

export interface SlackTarget {
  url: string;
  signingSecret: string;
  teamId: string;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Overrides the computed signature (to send a bad one). */
  signature?: string;
  /** Events API bodies are JSON; commands and interactivity are form-encoded (the default). */
  contentType?: string;
}

export async function sendSigned(target: SlackTarget, body: string, options: SendOptions = {}): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(target.signingSecret, timestamp, body),
    },
    body,
  });
}

export function slashCommandBody(target: SlackTarget, input: { userId: string; text: string; responseUrl: string; triggerId?: string; teamId?: string }): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: input.teamId ?? target.teamId,
    team_domain: 'keycard-test',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: input.userId,
    user_name: input.userId.toLowerCase(),
    command: '/access',
    text: input.text,
    api_app_id: 'A0KEYCARD',
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
  }).toString();
}

export function blockActionBody(
  target: SlackTarget,
  input: { userId: string; actionId: string; value?: string; responseUrl: string; teamId?: string; view?: Record<string, unknown>; selectedValue?: string },
): string {
  const action: Record<string, unknown> = input.selectedValue
    ? { type: 'static_select', action_id: input.actionId, block_id: 'resource', selected_option: { value: input.selectedValue, text: { type: 'plain_text', text: input.selectedValue } }, action_ts: '1' }
    : { type: 'button', action_id: input.actionId, block_id: 'decision', value: input.value, text: { type: 'plain_text', text: 'Approve' }, action_ts: '1' };
  const payload = {
    type: 'block_actions',
    team: { id: input.teamId ?? target.teamId, domain: 'keycard-test' },
    user: { id: input.userId, username: input.userId.toLowerCase(), team_id: input.teamId ?? target.teamId },
    api_app_id: 'A0KEYCARD',
    token: 'deprecated-verification-token',
    container: input.view ? { type: 'view', view_id: input.view.id } : { type: 'message', message_ts: '1700000000.000100', channel_id: input.userId, is_ephemeral: false },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    ...(input.view ? { view: input.view } : { channel: { id: input.userId, name: 'directmessage' }, message: { ts: '1700000000.000100' } }),
    response_url: input.responseUrl,
    actions: [action],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function viewSubmissionBody(
  target: SlackTarget,
  input: { userId: string; callbackId: string; values: Record<string, Record<string, unknown>>; privateMetadata?: string; teamId?: string },
): string {
  const payload = {
    type: 'view_submission',
    team: { id: input.teamId ?? target.teamId, domain: 'keycard-test' },
    user: { id: input.userId, username: input.userId.toLowerCase(), team_id: input.teamId ?? target.teamId },
    api_app_id: 'A0KEYCARD',
    token: 'deprecated-verification-token',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    view: {
      id: 'V0MODAL',
      type: 'modal',
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata ?? '',
      hash: 'h0',
      state: { values: input.values },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/**
 * An Events API `event_callback` envelope around `event`, as Slack posts it (JSON, signed like any other
 * request): https://docs.slack.dev/apis/events-api. Send it with `{ contentType: 'application/json' }`.
 */
export function eventCallbackBody(target: SlackTarget, event: Record<string, unknown>, options: { teamId?: string; eventId?: string } = {}): string {
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: options.teamId ?? target.teamId,
    api_app_id: 'A0KEYCARD',
    event,
    type: 'event_callback',
    authorizations: [{ team_id: options.teamId ?? target.teamId, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event_id: options.eventId ?? `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
  });
}

export function sendEvent(target: SlackTarget, event: Record<string, unknown>, options: { teamId?: string; eventId?: string } = {}): Promise<Response> {
  return sendSigned(target, eventCallbackBody(target, event, options), { contentType: 'application/json' });
}
