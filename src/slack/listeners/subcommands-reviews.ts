import { startReview } from '../../services/start-review.js';
import { reviewStartedReply, reviewUsageReply } from '../views/review-notices.js';
import type { Subcommand } from './command.js';
import { replyPrivately } from './reply.js';

/** `/access review start <name>`: admins start a review now. Anything else lists the policy's reviews. */
export const reviewSubcommands: Subcommand[] = [
  {
    name: 'review',
    usage: '`/access review start <name>` — admins: start an access review now',
    async run({ deps, userId, args, respond }) {
      const [verb = '', name, ...extra] = args.split(/\s+/).filter(Boolean);
      const reviews = Object.values(deps.policy.reviews).sort((a, b) => a.name.localeCompare(b.name));
      if (verb.toLowerCase() !== 'start') {
        return replyPrivately(respond, reviewUsageReply(reviews, verb ? `I don’t know \`/access review ${verb}\`.` : undefined));
      }
      if (!name || extra.length > 0) return replyPrivately(respond, reviewUsageReply(reviews, 'Say which review to start: `/access review start <name>`.'));
      await replyPrivately(respond, reviewStartedReply(await startReview(deps, { reviewName: name, startedBy: userId })));
    },
  },
];
