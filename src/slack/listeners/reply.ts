import type { RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import { isDomainError } from '../../domain/errors.js';
import { domainErrorText } from '../views/errors.js';
import { errorReply, type Reply } from '../views/replies.js';

/** An ephemeral reply only the actor sees, in the place they acted. */
export async function replyPrivately(respond: RespondFn, reply: Reply): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: reply.text, blocks: reply.blocks });
}

/** Domain refusals become specific words; anything else a plain apology with a reference for admins. */
export function replyForError(error: unknown, logger: Logger, context: Record<string, unknown>): Reply {
  if (isDomainError(error)) return errorReply(domainErrorText(error));
  const reference = Math.random().toString(36).slice(2, 10);
  logger.error({ ...context, reference, err: (error as Error)?.message }, 'unexpected error handling a Slack request');
  return errorReply(`Something went wrong on Keycard’s side and nothing was changed. Please try again; if it keeps happening, give your admin the reference \`${reference}\`.`);
}

/** Form errors are plain text in Slack: no markup, at most a few lines. */
export function fieldError(error: unknown, deps: { logger: Logger }, userId: string): string {
  const text = isDomainError(error) ? domainErrorText(error) : replyForError(error, deps.logger, { userId }).text;
  return text.replace(/[*`]/g, '').slice(0, 300);
}
