import { formatDuration } from '../../domain/duration.js';

/** Pure text helpers for Block Kit. User text is escaped and bounded (Slack's limits). */

const SECTION_TEXT_LIMIT = 3_000;

/** Escapes what Slack reads as markup, so a reason cannot @-mention a channel or break formatting. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Like escapeText, but user mentions written by Keycard itself (`<@U…>`) still render as names. */
export function escapeKeepingUserMentions(text: string): string {
  return escapeText(text).replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, '<@$1>');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 12)}… (truncated)`;
}

/** A user's reason as a quote block, escaped and bounded. */
export function quote(text: string, max = 1_500): string {
  return truncate(escapeText(text), max)
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

export function mention(userId: string): string {
  return `<@${userId}>`;
}

export function mentionList(userIds: readonly string[], joiner = 'or'): string {
  const names = userIds.map(mention);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${joiner} ${names[names.length - 1]}`;
}

/** A time every reader sees in their own timezone (Slack formats it), with a UTC fallback. */
export function slackDate(date: Date): string {
  const unix = Math.floor(date.getTime() / 1000);
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${unix}^{date_short_pretty} at {time}|${fallback}>`;
}

export function durationWords(ms: number): string {
  return formatDuration(ms);
}

export function sectionText(text: string): string {
  return truncate(text, SECTION_TEXT_LIMIT);
}

/** Plain text for notification previews and screen readers (Block Kit's top-level `text`). */
export function plain(text: string, max = 300): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}
