import { auditTrail, type AuditTarget } from '../../services/audit-trail.js';
import { auditTrailReply } from '../views/audit-trail.js';
import { errorReply } from '../views/replies.js';
import type { Subcommand } from './command.js';
import { replyPrivately } from './reply.js';

/** `<@U123|ana>` or `<@U123>` (a mention Slack escaped), or a bare member id `U123…`. */
const PERSON = /^(?:<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|([UW][A-Z0-9]{4,}))$/;

export function parseAuditTarget(args: string): AuditTarget | { problem: string } {
  const word = args.trim();
  if (word === '') return { problem: 'Say whose or what trail: `/access audit @person` or `/access audit <resource>`.' };
  const person = PERSON.exec(word);
  if (person) return { kind: 'person', slackUserId: (person[1] ?? person[2])! };
  if (word.startsWith('@')) {
    return {
      problem: `Slack sent \`${word}\` as plain text, so Keycard cannot tell who it is. Use their member ID (profile → ⋮ → Copy member ID), e.g. \`/access audit U0123ABCD\`.`,
    };
  }
  return { kind: 'resource', name: word };
}

/** `/access audit @user` and `/access audit <resource>`, for Keycard admins. */
export const auditSubcommands: Subcommand[] = [
  {
    name: 'audit',
    usage: '`/access audit @person` or `/access audit <resource>` — the latest audit events (admins)',
    run: async ({ deps, userId, args, respond }) => {
      const target = parseAuditTarget(args);
      if ('problem' in target) return replyPrivately(respond, errorReply(target.problem));
      await replyPrivately(respond, auditTrailReply(target, await auditTrail(deps, { adminId: userId, target })));
    },
  },
];
