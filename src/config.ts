import { z } from 'zod';

/** A bearer token for one of Keycard's APIs: long enough that guessing it is hopeless. */
const secretToken = z.string().min(24, { message: 'must be at least 24 characters (e.g. openssl rand -hex 32)' });

const port = z.coerce.number({ message: 'must be a port number (0–65535)' }).int().min(0).max(65_535);

/** The one schema for Keycard's environment (DESIGN.md "External contract"). */
export const configSchema = z
  .object({
    SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', { message: 'must be a bot token starting with xoxb-' }),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_APP_TOKEN: z.string().startsWith('xapp-', { message: 'must be an app-level token starting with xapp-' }).optional(),
    SLACK_API_URL: z.url({ message: 'must be a URL such as https://slack.com/api/' }).default('https://slack.com/api/'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    PORT: port.default(3000),
    POLICY_FILE: z.string().min(1).default('./access.yaml'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** How long a replica's claim on scheduled work lasts; a replica that dies has its work taken over after this. */
    JOB_LEASE_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).int().min(5).max(3_600).default(60),
    SCIM_TOKEN: secretToken.optional(),
    SIGNALS_TOKEN: secretToken.optional(),
    AUDIT_TOKEN: secretToken.optional(),
    /** Bearer token of the review report export (GET /api/v1/reviews/:id/report.csv|.json); unset turns it off. */
    REPORTS_TOKEN: secretToken.optional(),
    AUDIT_STREAM: z
      .string()
      .regex(/^(stdout|https?:\/\/.+)$/, { message: 'must be stdout or an http(s):// webhook URL' })
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'is required in HTTP mode (set it, or SLACK_APP_TOKEN for Socket Mode)',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the environment; a missing or malformed variable stops start-up with a message naming it. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most .env files.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.') || 'environment';
    const missing = issue.code === 'invalid_type' && present[name] === undefined;
    return `  ${name}: ${missing ? 'is required but not set' : issue.message}`;
  });
  throw new ConfigError(`Keycard cannot start; fix these environment variables:\n${lines.join('\n')}`);
}
