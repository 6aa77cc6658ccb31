import type { App } from '@slack/bolt';
import { isDuration } from '../../domain/duration.js';
import type { ServiceDeps } from '../../services/deps.js';
import { listMyAccess } from '../../services/list-my-access.js';
import { listRequestable } from '../../services/list-requestable.js';
import { submitRequest } from '../../services/submit-request.js';
import { requestModal } from '../views/modals.js';
import { helpReply, myAccessReply, submittedReply } from '../views/replies.js';
import { replyForError, replyPrivately } from './reply.js';

export interface ParsedRequestCommand {
  resource: string;
  duration: string | undefined;
  reason: string;
}

/**
 * `request <resource> [duration] <reason…>`. A second word that starts with a digit is read as the
 * duration (so `2x` is reported as a bad duration rather than swallowed into the reason).
 */
export function parseRequestCommand(text: string): ParsedRequestCommand | null {
  const match = /^\s*(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(text);
  if (!match) return null;
  const [, resource, second, rest] = match;
  if (second !== undefined && (/^\d/.test(second) || isDuration(second))) {
    return { resource: resource!, duration: second, reason: rest?.trim() ?? '' };
  }
  return { resource: resource!, duration: undefined, reason: [second, rest].filter(Boolean).join(' ').trim() };
}

/** `/access`, `/access request …`, `/access list`, `/access help`. Identity is the verified `user_id`. */
export function registerCommand(app: App, deps: ServiceDeps): void {
  app.command('/access', async ({ command, ack, respond, client }) => {
    await ack();
    const [sub = '', ...restWords] = command.text.trim().split(/\s+/);
    const userId = command.user_id;
    try {
      switch (sub.toLowerCase()) {
        case '': {
          const resources = await listRequestable(deps, userId);
          const view = requestModal(resources.map((r) => ({ name: r.name, description: r.description, defaultMs: r.duration.defaultMs, maxMs: r.duration.maxMs })));
          await client.views.open({ trigger_id: command.trigger_id, view: view as never });
          return;
        }
        case 'request': {
          const parsed = parseRequestCommand(command.text.trim().slice(sub.length));
          if (!parsed) {
            await replyPrivately(respond, helpReply('Say what you need: `/access request <resource> [duration] <reason…>`.'));
            return;
          }
          const requester = await deps.directory.principal(userId);
          const result = await submitRequest(deps, { requester, resourceName: parsed.resource, duration: parsed.duration, reason: parsed.reason });
          await replyPrivately(respond, submittedReply(result.request, result.autoApprovedBy));
          return;
        }
        case 'list':
          await replyPrivately(respond, myAccessReply(await listMyAccess(deps, userId)));
          return;
        case 'help':
          await replyPrivately(respond, helpReply());
          return;
        default:
          await replyPrivately(respond, helpReply(`I don’t know \`/access ${sub}${restWords.length ? ' …' : ''}\`. Here is what I do know:`));
      }
    } catch (error) {
      await replyPrivately(respond, replyForError(error, deps.logger, { command: sub, userId }));
    }
  });
}
