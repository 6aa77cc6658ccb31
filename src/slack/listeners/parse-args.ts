import { isDuration } from '../../domain/duration.js';

export interface TargetDurationReason {
  target: string;
  duration: string | undefined;
  reason: string;
}

/**
 * `<target> [duration] <reason…>`. A second word that starts with a digit is read as the duration (so
 * `2x` is reported as a bad duration rather than swallowed into the reason).
 */
export function parseTargetDurationReason(text: string): TargetDurationReason | null {
  const match = /^\s*(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(text);
  if (!match) return null;
  const [, target, second, rest] = match;
  if (second !== undefined && (/^\d/.test(second) || isDuration(second))) {
    return { target: target!, duration: second, reason: rest?.trim() ?? '' };
  }
  return { target: target!, duration: undefined, reason: [second, rest].filter(Boolean).join(' ').trim() };
}

/** `<target> <rest…>`. */
export function parseTargetRest(text: string): { target: string; rest: string } | null {
  const match = /^\s*(\S+)(?:\s+([\s\S]*))?$/.exec(text);
  return match ? { target: match[1]!, rest: match[2]?.trim() ?? '' } : null;
}
