import { breakGlass } from '../../services/break-glass.js';
import { cancelRequest } from '../../services/cancel-request.js';
import { findRequest } from '../../services/find-request.js';
import { listMyAccess } from '../../services/list-my-access.js';
import { listRequestable } from '../../services/list-requestable.js';
import { submitRequest } from '../../services/submit-request.js';
import { requestModal, requestableFrom } from '../views/modals.js';
import { breakGlassReply, cancelledReply, helpReply, myAccessReply, submittedReply } from '../views/replies.js';
import type { Subcommand } from './command.js';
import { parseTargetDurationReason } from './parse-args.js';
import { replyPrivately } from './reply.js';

/** Asking for access: the form, the direct request, cancelling, break-glass, and one's own list. */
export const requestSubcommands: Subcommand[] = [
  {
    name: '',
    usage: '`/access` — open the request form',
    async run({ deps, userId, triggerId, client }) {
      const view = requestModal(requestableFrom(await listRequestable(deps, userId)));
      await client.views.open({ trigger_id: triggerId, view: view as never });
    },
  },
  {
    name: 'request',
    usage: '`/access request <resource> [duration] <reason…>` — ask for access, e.g. `/access request prod-db-readonly 1h investigating INC-42`',
    async run({ deps, userId, args, respond }) {
      const parsed = parseTargetDurationReason(args);
      if (!parsed) return replyPrivately(respond, helpReply([], 'Say what you need: `/access request <resource> [duration] <reason…>`.'));
      const requester = await deps.directory.principal(userId);
      const filed = await submitRequest(deps, { requester, resourceName: parsed.target, duration: parsed.duration, reason: parsed.reason });
      await replyPrivately(respond, submittedReply(filed.request, filed.autoApprovedBy));
    },
  },
  {
    name: 'cancel',
    usage: '`/access cancel <resource or request id>` — withdraw your pending request',
    async run({ deps, userId, args, respond }) {
      if (!args) return replyPrivately(respond, helpReply([], 'Say which request: `/access cancel <resource or request id>`.'));
      const request = await findRequest(deps, args, userId);
      await replyPrivately(respond, cancelledReply(await cancelRequest(deps, { requestId: request.id, actorId: userId })));
    },
  },
  {
    name: 'breakglass',
    usage: '`/access breakglass <resource> [duration] <reason…>` — emergency access where the policy allows it; announced and reviewed',
    async run({ deps, userId, args, respond }) {
      const parsed = parseTargetDurationReason(args);
      if (!parsed) return replyPrivately(respond, helpReply([], 'Say what and why: `/access breakglass <resource> [duration] <reason…>`.'));
      const requester = await deps.directory.principal(userId);
      const filed = await breakGlass(deps, { requester, resourceName: parsed.target, duration: parsed.duration, reason: parsed.reason });
      await replyPrivately(respond, breakGlassReply(filed.request));
    },
  },
  {
    name: 'list',
    usage: '`/access list` — your pending requests and active access',
    run: async ({ deps, userId, respond }) => replyPrivately(respond, myAccessReply(await listMyAccess(deps, userId))),
  },
];
