import type { z } from 'zod';
import { ProviderError } from './types.js';

/**
 * Parses a grant block at call time. The policy loader already checked it, so a failure here means the
 * stored spec no longer fits the kind (e.g. a grant recorded before a schema change). Retrying cannot
 * fix that, so it is a permanent ProviderError rather than a bare ZodError, which callers would treat
 * as retryable and try forever.
 */
export function parseSpec<T>(schema: z.ZodType<T>, spec: unknown, kind: string): T {
  const parsed = schema.safeParse(spec);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(grant)'}: ${i.message}`).join('; ');
  throw new ProviderError(`invalid ${kind} grant block: ${problems}`, { retryable: false, cause: parsed.error });
}
