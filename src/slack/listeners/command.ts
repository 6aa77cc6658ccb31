import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ServiceDeps } from '../../services/deps.js';
import { helpReply } from '../views/replies.js';
import { replyForError, replyPrivately } from './reply.js';
import { requestSubcommands } from './subcommands-requests.js';
import { grantSubcommands } from './subcommands-grants.js';

/** What a subcommand handler gets: the verified user, the text after the subcommand word, and ways to answer. */
export interface SubcommandContext {
  deps: ServiceDeps;
  userId: string;
  args: string;
  triggerId: string;
  respond: RespondFn;
  client: WebClient;
}

export interface Subcommand {
  /** The word after `/access` (empty for `/access` alone). */
  name: string;
  /** One line for `/access help`; absent for subcommands that are not listed. */
  usage?: string;
  run(ctx: SubcommandContext): Promise<void>;
}

/**
 * `/access …`. Identity is the verified `user_id` (invariant 1). Each area contributes its subcommands;
 * adding one is adding an entry to a list.
 */
export function registerCommand(app: App, deps: ServiceDeps, extra: Subcommand[] = []): void {
  const subcommands: Subcommand[] = [...requestSubcommands, ...grantSubcommands, ...extra];
  const help: Subcommand = {
    name: 'help',
    usage: '`/access help` — this list',
    run: ({ respond }) => replyPrivately(respond, helpReply(usages(subcommands))),
  };
  const byName = new Map([...subcommands, help].map((s) => [s.name, s]));

  app.command('/access', async ({ command, ack, respond, client }) => {
    await ack();
    const text = command.text.trim();
    const word = text.split(/\s+/, 1)[0] ?? '';
    const subcommand = byName.get(word.toLowerCase());
    try {
      if (!subcommand) {
        await replyPrivately(respond, helpReply(usages(subcommands), `I don’t know \`/access ${word}\`. Here is what I do know:`));
        return;
      }
      await subcommand.run({ deps, userId: command.user_id, args: text.slice(word.length).trim(), triggerId: command.trigger_id, respond, client });
    } catch (error) {
      await replyPrivately(respond, replyForError(error, deps.logger, { command: word, userId: command.user_id }));
    }
  });
}

function usages(subcommands: Subcommand[]): string[] {
  return [...subcommands.flatMap((s) => (s.usage ? [s.usage] : [])), '`/access help` — this list'];
}
