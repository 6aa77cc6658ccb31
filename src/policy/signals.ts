import type { Policy, SignalRule } from './policy.js';

/** What a security signal says, as far as the policy's rules look at it. */
export interface SignalFacts {
  severity: string;
  type: string;
}

/** The first rule whose conditions all hold, or null (the signal is then only recorded). Pure. */
export function matchSignalRule(policy: Pick<Policy, 'signals'>, signal: SignalFacts): SignalRule | null {
  const type = signal.type.toLowerCase();
  return (
    policy.signals.find(
      (rule) =>
        (rule.severities === null || rule.severities.includes(signal.severity)) &&
        (rule.types === null || rule.types.some((t) => t.toLowerCase() === type)),
    ) ?? null
  );
}
