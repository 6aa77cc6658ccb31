import { describeMyIdentities } from '../../services/describe-my-identities.js';
import { whoamiReply } from '../views/whoami.js';
import type { Subcommand } from './command.js';
import { replyPrivately } from './reply.js';

/** `/access whoami`: who the caller (the verified user id, never an argument) is on each provider. */
export const identitySubcommands: Subcommand[] = [
  {
    name: 'whoami',
    usage: '`/access whoami` — who you are on each provider, and what to ask for where you are no one',
    run: async ({ deps, userId, respond }) => replyPrivately(respond, whoamiReply(await describeMyIdentities(deps, userId))),
  },
];
