import { describeIdentityRule } from '../../providers/identity.js';
import type { MyIdentities, ProviderIdentity } from '../../services/describe-my-identities.js';
import { context, section, type Block } from './blocks.js';
import { escapeText, mentionList, plain } from './format.js';
import type { Reply } from './replies.js';

/** Slack allows 50 blocks in a message: an intro, one per provider, and a closing note. */
const MAX_PROVIDERS_SHOWN = 45;

/** `/access whoami`: who the person is on each provider, by which rule, or what to ask for. */
export function whoamiReply(me: MyIdentities): Reply {
  const { providers } = me;
  if (providers.length === 0) {
    const body = 'The policy has no providers yet, so there is nothing to map you to.';
    return { text: body, blocks: [section(body)] };
  }
  const mapped = providers.filter((p) => p.identity !== null).length;
  const shown = providers.slice(0, MAX_PROVIDERS_SHOWN);
  const blocks: Block[] = [
    section(`*Who you are on each provider* — the name Keycard grants access to when you request something there. You map on ${mapped} of ${providers.length}.`),
    ...shown.map((p) => section(providerLines(p, me.admins).join('\n'))),
  ];
  const notes: string[] = [];
  if (providers.length > shown.length) notes.push(`…and ${providers.length - shown.length} more providers not shown.`);
  if (mapped < providers.length) notes.push('Keycard rereads your Slack profile every few minutes; after changing it, run `/access whoami` again.');
  if (notes.length > 0) blocks.push(context(notes.join(' ')));
  return { text: plain(`You map on ${mapped} of ${providers.length} providers`), blocks };
}

function providerLines(p: ProviderIdentity, admins: readonly string[]): string[] {
  const title = `*${escapeText(p.provider)}* (${escapeText(p.kind)})`;
  const requestable = p.requestable.length > 0 ? `You can request: ${p.requestable.map((r) => `\`${escapeText(r)}\``).join(', ')}.` : 'Nothing here that you may request.';
  if (p.identity !== null) {
    const how = p.by === 'map' ? `set for you in the policy (\`providers.${p.provider}.identity.map\`)` : `from ${describeIdentityRule(p.rule, p.fieldLabel ?? undefined)}`;
    return [`✅ ${title} → \`${escapeText(p.identity)}\``, `${how}. ${requestable}`];
  }
  return [`⚠️ ${title} → no identity`, `${whatToDo(p, admins)} ${requestable}`];
}

/** The rule gave nothing: say what it reads and the two ways out (fix the profile, or an explicit entry). */
function whatToDo(p: ProviderIdentity, admins: readonly string[]): string {
  const askAdmin = `ask ${admins.length > 0 ? `a Keycard admin (${mentionList(admins)})` : 'a Keycard admin'} to add you to \`providers.${p.provider}.identity.map\``;
  if (p.rule?.from === 'profile_field') {
    const field = p.fieldLabel ? `the “${escapeText(p.fieldLabel)}” field` : `the custom field \`${p.rule.field ?? ''}\``;
    return `Keycard takes your name here from ${field} of your Slack profile, and yours is empty. Fill it in on your Slack profile (Profile → Edit profile), or ${askAdmin}.`;
  }
  // email and email_local_part: the only rules besides profile_field that can come up empty.
  return `Keycard takes your name here from ${describeIdentityRule(p.rule)}, and it cannot see an email on your profile. Set the email on your Slack profile (a Slack admin may have to), or ${askAdmin}.`;
}
