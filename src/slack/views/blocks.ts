import { sectionText } from './format.js';

/** Minimal Block Kit constructors, so view builders read as the message they make. */

export type Block = { type: string; [key: string]: unknown };

export const section = (text: string, extra: Record<string, unknown> = {}): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: sectionText(text) },
  ...extra,
});

export const fields = (pairs: Array<[label: string, value: string]>): Block => ({
  type: 'section',
  fields: pairs.map(([label, value]) => ({ type: 'mrkdwn', text: sectionText(`*${label}*\n${value}`).slice(0, 2_000) })),
});

export const context = (...texts: string[]): Block => ({
  type: 'context',
  elements: texts.map((text) => ({ type: 'mrkdwn', text: sectionText(text) })),
});

export const divider = (): Block => ({ type: 'divider' });

export const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: text.slice(0, 150), emoji: true } });

export interface ButtonSpec {
  text: string;
  actionId: string;
  value: string;
  style?: 'primary' | 'danger';
  accessibilityLabel?: string;
}

export const button = (spec: ButtonSpec): Block => ({
  type: 'button',
  text: { type: 'plain_text', text: spec.text, emoji: true },
  action_id: spec.actionId,
  value: spec.value,
  ...(spec.style ? { style: spec.style } : {}),
  ...(spec.accessibilityLabel ? { accessibility_label: spec.accessibilityLabel } : {}),
});

export const actions = (blockId: string, elements: Block[]): Block => ({ type: 'actions', block_id: blockId, elements });

export const plainText = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
