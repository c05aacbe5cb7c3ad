import { ButtonStyle } from 'discord-api-types/v10';
import { buttonRow } from '../../lib/discord/buttons';
import { guildflowEmbed } from '../../lib/discord/embeds';
import type { DiscordMessage } from '../discord';
import type { VerifyView } from '../../lib/flows/verify';

/** Component actions of a pending verification; the key is `{guildId}.{userId}` (works in DMs too). */
export const VERIFY_CHECK = 'verify-check';
export const VERIFY_CANCEL = 'verify-cancel';
export const VERIFY_PANEL = 'verify-panel';
export const VERIFY_MODAL = 'verify-modal';

const verifyKey = (guildId: string, userId: string) => `${guildId}.${userId}`;
export function parseVerifyKey(key: string): { guildId: string; userId: string } | null {
  const m = /^(\d{15,21})\.(\d{15,21})$/.exec(key);
  return m ? { guildId: m[1]!, userId: m[2]! } : null;
}

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const minutes = (s: number) => (s % 60 === 0 ? `${s / 60} minute${s === 60 ? '' : 's'}` : `${s} seconds`);

/** The message a member sees for a verification in any phase (the bot and the workflow's notices use it). */
export function renderVerifyView(view: VerifyView): DiscordMessage {
  const flowId = view.workflowId;
  const account = view.roblox ? `**${view.roblox.name}**${view.roblox.displayName !== view.roblox.name ? ` (${view.roblox.displayName})` : ''}` : `**${view.username}**`;
  const note = view.note ? `\n\n${view.note}` : '';
  switch (view.phase) {
    case 'resolving':
    case 'linking':
      return { embeds: [guildflowEmbed({ outcome: 'pending', title: 'Verifying…', description: `Linking ${account}…${note}`, flowId })], components: [] };
    case 'waiting': {
      const lines = [
        `To prove ${account} is yours, put this phrase in the **About** section of that Roblox profile (roblox.com → Profile → About), then press **Check**:`,
        '```',
        view.phrase ?? '',
        '```',
        `It expires <t:${unix(view.expiresAt!)}:R>. You can check ${view.checksPerMinute} time${view.checksPerMinute === 1 ? '' : 's'} a minute.`,
      ];
      if (view.lastFound !== null) {
        lines.push('', `**Not found yet.** The profile's About reads: “${view.lastFound || '(empty)'}”`);
      }
      return {
        embeds: [guildflowEmbed({ outcome: 'pending', title: 'Verify your Roblox account', description: lines.join('\n') + note, flowId })],
        components: [
          buttonRow([
            { action: VERIFY_CHECK, key: verifyKey(view.guildId, view.userId), label: 'Check', style: ButtonStyle.Success },
            { action: VERIFY_CANCEL, key: verifyKey(view.guildId, view.userId), label: 'Cancel', style: ButtonStyle.Secondary },
          ]),
        ],
      };
    }
    case 'verified': {
      const done = [
        `<@${view.userId}> is now linked to the Roblox account ${account} (id ${view.roblox?.id}).`,
        ...(view.roleGiven ? [`Role given: <@&${view.roleGiven}>.`] : []),
        ...(view.nicknameSet ? [`Nickname: **${view.nicknameSet}**.`] : []),
        ...(view.method === 'profile_phrase' ? ['You may remove the phrase from your profile now.'] : []),
      ];
      return { embeds: [guildflowEmbed({ outcome: 'success', title: `Verified as ${view.roblox?.name ?? view.username}`, description: done.join('\n') + note, flowId })], components: [] };
    }
    case 'failed':
      return { embeds: [guildflowEmbed({ outcome: 'error', title: 'Verification failed', description: `${view.reason ?? 'It could not be completed.'}${note}`, flowId })], components: [] };
    case 'expired':
      return {
        embeds: [
          guildflowEmbed({
            outcome: 'warning',
            title: 'Verification expired',
            description: `The phrase was not found in ${account}'s profile within ${minutes(view.expirySeconds)}. Nothing was changed: use /verify to start again.`,
            flowId,
          }),
        ],
        components: [],
      };
    case 'cancelled':
      return { embeds: [guildflowEmbed({ outcome: 'info', title: 'Verification cancelled', description: `Nothing was changed. Use /verify to start again.${note}`, flowId })], components: [] };
  }
}

/** The admin log's notice of a verification that failed after the phrase matched (or an admin's link). */
export function renderAdminNotice(input: { title: string; detail: string; flowId: string; outcome: 'error' | 'info' | 'warning' }): DiscordMessage {
  return { embeds: [guildflowEmbed({ outcome: input.outcome, title: input.title, description: input.detail, flowId: input.flowId })] };
}
