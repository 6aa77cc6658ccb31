import { z } from 'zod';
import { isDuration } from '../domain/duration.js';
import { isCronExpression } from '../domain/review-schedule.js';

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
  .regex(/^([UW][A-Z0-9]+|usergroup:S[A-Z0-9]+|group:[\w.-]+|directory:\S.*)$/, {
    message: 'must be a Slack user id (U…), usergroup:S…, group:<name> or directory:<SCIM group name>',
  })
  .describe(
    'A Slack user id (U…), a Slack user group (usergroup:S…), a named group (group:<name>) or a group your identity provider provisions over SCIM (directory:<group name>)',
  );

const people = z.array(personRef);

/** Approver lists may also say `owners`: the resource's owners. */
const approverRef = z.union([z.literal('owners'), personRef]);

const channelId = z
  .string()
  .regex(/^[CG][A-Z0-9]+$/, { message: 'must be a Slack channel id (C…)' })
  .describe('A Slack channel id (C…)');

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

const timeWindow = z
  .strictObject({
    days: z.array(weekday).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    between: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, { message: 'must be HH:MM-HH:MM, e.g. 09:00-18:00' })
      .default('00:00-24:00'),
    timezone: z
      .string()
      .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' })
      .default('UTC'),
  })
  .describe('Only on these days, between these local times, in this time zone');

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const identityRule = z
  .strictObject({
    from: z
      .enum(['email_local_part', 'email', 'slack_user_id', 'profile_field'])
      .default('email_local_part')
      .describe('How a Slack user becomes this provider identity'),
    field: z
      .string()
      .regex(/^Xf[A-Za-z0-9]+$/, { message: 'must be a Slack custom profile field id such as Xf0123ABC' })
      .optional()
      .describe('With from: profile_field, the id (Xf…) of the Slack custom profile field holding the identity'),
    map: z
      .record(z.string(), z.string())
      .optional()
      .describe('Explicit Slack user id → provider identity entries; these win over `from`'),
  })
  .superRefine((rule, ctx) => {
    // The pairing is checked here so a typo cannot silently fall back to mapping by email.
    if (rule.from === 'profile_field' && rule.field === undefined) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: 'from: profile_field needs field: <Slack custom profile field id, Xf…>' });
    }
    if (rule.from !== 'profile_field' && rule.field !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: 'field is only used with from: profile_field' });
    }
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
  when: timeWindow.optional(),
  announce: channelId.optional().describe('Post auto-approvals by this rule to this channel; silent otherwise'),
});

const resource = z.strictObject({
  description: z.string().optional(),
  provider: z.string().min(1).describe('Name of a provider instance under `providers:`'),
  grant: z.record(z.string(), z.unknown()).describe("What to grant; checked by the provider's own schema"),
  owners: people.default([]),
  approvers: z.array(approverRef).optional().describe('Who may approve (`owners` means the owners); the owners when not given'),
  approvals: z.number().int().min(1).default(1).describe('How many distinct approvers must approve'),
  requesters: people.optional().describe('Who may request; everyone when not given'),
  duration: z.strictObject({
    default: durationText,
    max: durationText,
    min: durationText.optional().describe('1m when not given'),
    max_total: durationText.optional().describe('Longest a grant may run with extensions; `max` when not given'),
  }),
  approval_channel: channelId.optional().describe('Also post requests to this channel, with Approve and Deny'),
  dm_approvers: z.boolean().default(true).describe('DM each approver (turn off to use only approval_channel)'),
  remind_after: durationText.optional().describe('Remind approvers when a request has waited this long'),
  escalate_after: durationText.optional().describe('Ask escalate_to as well when a request has waited this long'),
  escalate_to: people.optional().describe('Who is asked on escalation; they may approve from then on'),
  request_ttl: durationText.optional().describe('How long a request may wait for a decision'),
  auto_approve: z.array(autoApproveRule).default([]),
  break_glass: z
    .strictObject({
      notify: channelId.describe('Announced here at once'),
      max: durationText.default('1h').describe('Longest break-glass grant'),
      confirm_within: durationText.default('4h').describe('An owner must confirm by then, or the grant is revoked'),
    })
    .optional()
    .describe('Lets a requester grant themselves access in an emergency, loudly, reviewed after'),
  baseline: z
    .array(z.string().min(1))
    .default([])
    .describe('Provider identities expected to hold this access standing (service accounts…); drift checks leave them alone'),
  on_drift: z
    .enum(['report', 'revoke', 'ignore'])
    .default('report')
    .describe('Access found at the provider that Keycard did not grant and the baseline does not list: tell the owners, also remove it, or ignore'),
});

const review = z.strictObject({
  description: z.string().optional(),
  schedule: z
    .string()
    .refine(isCronExpression, { message: 'must be a cron expression such as "0 9 1 */3 *"' })
    .describe('When a campaign starts (cron, read in `timezone`)'),
  timezone: z
    .string()
    .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' })
    .default('UTC')
    .describe('Time zone of `schedule`'),
  resources: z.array(z.string()).min(1).describe('Resources whose holders are reviewed'),
  reviewer: z
    .string()
    .regex(/^(owners|manager|group:[\w.-]+)$/, { message: 'must be owners, manager or group:<name>' })
    .default('owners')
    .describe("Who reviews each holder: the resource's owners, a named group, or the holder's manager (owners when unknown)"),
  due: durationText.describe('How long reviewers have'),
  remind_every: durationText.optional().describe('Remind reviewers with items left this often'),
  on_no_response: z
    .enum(['revoke', 'keep', 'escalate'])
    .default('revoke')
    .describe('What happens at due to items nobody decided; escalate hands them to the owners'),
  report_channel: channelId.optional().describe('Where the campaign summary is posted when it closes'),
});

/** How Keycard answers a security signal about a person (POST /api/v1/signals); the first matching rule applies. */
const signalRule = z.strictObject({
  name: z.string().optional().describe('Named in the audit log and the answer'),
  when: z
    .strictObject({
      severity: z.array(z.enum(['low', 'medium', 'high', 'critical'])).min(1).optional().describe('Any of these severities'),
      type: z.array(z.string().min(1)).min(1).optional().describe('Any of these signal types, as the sender names them'),
    })
    .default({})
    .describe('All conditions must hold; none means every signal'),
  revoke_grants: z.boolean().default(false).describe("End all of the person's access now"),
  freeze_requests: durationText.optional().describe('Refuse new requests from the person for this long'),
  notify_security: z.boolean().default(true).describe('Post the signal and what was done to settings.security_channel'),
});

export const policySchema = z.strictObject({
  settings: z
    .strictObject({
      request_ttl: durationText.default('24h').describe('How long a request may wait for a decision'),
      admins: people.default([]).describe('Who may administer Keycard'),
      reconcile_every: durationText.default('1h').describe('How often providers are checked for access Keycard does not expect (drift)'),
      security_channel: channelId
        .optional()
        .describe('Where offboarding summaries and security signals are posted (C…); nowhere when not given'),
      revocation_alert_after: durationText
        .default('5m')
        .describe('A revocation still failing this long after it began is posted to security_channel'),
      expiry_warning: durationText
        .default('10m')
        .describe('Tell the holder this long before access ends, with Extend and Release buttons'),
    })
    .default({ request_ttl: '24h', admins: [], reconcile_every: '1h', revocation_alert_after: '5m', expiry_warning: '10m' }),
  providers: z.record(z.string(), providerConfig),
  groups: z.record(z.string(), people).default({}),
  resources: z.record(z.string(), resource),
  reviews: z.record(z.string(), review).default({}),
  signals: z.array(signalRule).default([]).describe('Responses to security signals, first match wins; with none, signals are only recorded'),
});

export type PolicyFile = z.infer<typeof policySchema>;
export type ResourcePolicy = z.infer<typeof resource>;
export type IdentityRule = z.infer<typeof identityRule>;
export type ReviewFile = z.infer<typeof review>;
export type ProviderConfig = z.infer<typeof providerConfig>;
export type SignalRuleFile = z.infer<typeof signalRule>;
