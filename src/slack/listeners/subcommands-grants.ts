import { adminRevokeGrant } from '../../services/admin-revoke-grant.js';
import { releaseGrant } from '../../services/release-grant.js';
import { requestExtension } from '../../services/request-extension.js';
import { grantEndingReply, helpReply, submittedReply } from '../views/replies.js';
import type { Subcommand } from './command.js';
import { parseTargetDurationReason, parseTargetRest } from './parse-args.js';
import { replyPrivately } from './reply.js';

/** Changing access that is already granted: extend, release, and (owners, admins) revoke. */
export const grantSubcommands: Subcommand[] = [
  {
    name: 'extend',
    usage: '`/access extend <resource or grant id> [duration] [reason…]` — ask for more time on your active access',
    async run({ deps, userId, args, respond }) {
      const parsed = parseTargetDurationReason(args);
      if (!parsed) return replyPrivately(respond, helpReply([], 'Say which access: `/access extend <resource or grant id> [duration] [reason…]`.'));
      const requester = await deps.directory.principal(userId);
      const filed = await requestExtension(deps, { requester, grant: parsed.target, duration: parsed.duration, reason: parsed.reason });
      await replyPrivately(respond, submittedReply(filed.request, filed.autoApprovedBy));
    },
  },
  {
    name: 'release',
    usage: '`/access release <resource or grant id>` — end your access now',
    async run({ deps, userId, args, respond }) {
      if (!args) return replyPrivately(respond, helpReply([], 'Say which access: `/access release <resource or grant id>`.'));
      await replyPrivately(respond, grantEndingReply(await releaseGrant(deps, { grant: args, holderId: userId })));
    },
  },
  {
    name: 'revoke',
    usage: '`/access revoke <grant id> <reason…>` — owners and admins: end someone’s access now',
    async run({ deps, userId, args, respond }) {
      const parsed = parseTargetRest(args);
      if (!parsed) return replyPrivately(respond, helpReply([], 'Say which grant and why: `/access revoke <grant id> <reason…>`.'));
      await replyPrivately(respond, grantEndingReply(await adminRevokeGrant(deps, { grant: parsed.target, actorId: userId, reason: parsed.rest })));
    },
  },
];
