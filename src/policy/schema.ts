import { z } from 'zod';
import { isDuration } from '../domain/duration.js';

/**
 * The one zod schema of `access.yaml`. Provider-specific parts (`providers.*` settings and each
 * resource's `grant:` block) are checked again by the provider's own schema when the policy loads.
 */

const durationText = z
  .string()
  .refine(isDuration, { message: 'must be a duration such as 90s, 30m, 2h or 1d' })
  .describe('A duration: 90s, 30m, 2h, 1d, or combined like 1h30m');

/** `U…`/`W…` Slack user ids, `usergroup:S…` Slack user groups, `group:<name>` named groups. */
export const personRef = z
  .string()
  .regex(/^([UW][A-Z0-9]+|usergroup:S[A-Z0-9]+|group:[\w.-]+)$/, {
    message: 'must be a Slack user id (U…), usergroup:S… or group:<name>',
  })
  .describe('A Slack user id (U…), a Slack user group (usergroup:S…) or a named group (group:<name>)');

const people = z.array(personRef);

const identityRule = z
  .strictObject({
    from: z
      .enum(['email_local_part', 'email', 'slack_user_id'])
      .default('email_local_part')
      .describe('How a Slack user becomes this provider identity'),
    map: z
      .record(z.string(), z.string())
      .optional()
      .describe('Explicit Slack user id → provider identity entries; these win over `from`'),
  })
  .describe('Maps a Slack user to the provider identity');

export const providerConfig = z
  .looseObject({
    kind: z.string().min(1).describe('Provider kind, e.g. postgres'),
    identity: identityRule.optional(),
  })
  .describe('A provider instance; secrets are written env:VAR and read from the environment');

const autoApproveRule = z.strictObject({
  name: z.string().optional().describe('Recorded on the request when this rule approves it'),
  requester_in: people.optional().describe('The requester must be one of these'),
  max_duration: durationText.optional().describe('Only requests up to this long'),
});

const resource = z.strictObject({
  description: z.string().optional(),
  provider: z.string().min(1).describe('Name of a provider instance under `providers:`'),
  grant: z.record(z.string(), z.unknown()).describe("What to grant; checked by the provider's own schema"),
  owners: people.default([]),
  approvers: people.optional().describe('Who may approve; the owners when not given'),
  approvals: z.number().int().min(1).default(1).describe('How many distinct approvers must approve'),
  requesters: people.optional().describe('Who may request; everyone when not given'),
  duration: z.strictObject({
    default: durationText,
    max: durationText,
    min: durationText.optional().describe('1m when not given'),
  }),
  request_ttl: durationText.optional().describe('How long a request may wait for a decision'),
  auto_approve: z.array(autoApproveRule).default([]),
  break_glass: z.strictObject({ notify: z.string().regex(/^[CG][A-Z0-9]+$/) }).optional(),
});

const review = z.strictObject({
  schedule: z.string().min(1),
  resources: z.array(z.string()).min(1),
  reviewer: z.string().default('owners'),
  due: durationText,
  remind_every: durationText.optional(),
  on_no_response: z.enum(['revoke', 'keep', 'escalate']).default('revoke'),
});

export const policySchema = z.strictObject({
  settings: z
    .strictObject({
      request_ttl: durationText.default('24h').describe('How long a request may wait for a decision'),
      admins: people.default([]).describe('Who may administer Keycard'),
    })
    .default({ request_ttl: '24h', admins: [] }),
  providers: z.record(z.string(), providerConfig),
  groups: z.record(z.string(), people).default({}),
  resources: z.record(z.string(), resource),
  reviews: z.record(z.string(), review).default({}),
});

export type PolicyFile = z.infer<typeof policySchema>;
export type ResourcePolicy = z.infer<typeof resource>;
export type IdentityRule = z.infer<typeof identityRule>;
export type ProviderConfig = z.infer<typeof providerConfig>;
