import {
  ActionRowBuilder,
  ButtonStyle,
  ChannelSelectMenuBuilder,
  ChannelType,
  MessageFlags,
  RoleSelectMenuBuilder,
  type ChatInputCommandInteraction,
  type InteractionUpdateOptions,
} from 'discord.js';
import { getTaskSettings, updateTaskSettings } from '../../../activities/tasks/tasks';
import { customId } from '../../../lib/discord/custom-id';
import { AppError } from '../../../lib/errors';
import { removeSyncChannel, setSyncChannel, type SyncChannelType } from '../../../lib/flows/sync-channels.client';
import { updateGuildSettings } from '../../../lib/guild-settings';
import type { ComponentHandler, ComponentInteraction } from '../../command';
import type { BotDeps } from '../../deps';
import { buttonRow, guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';

const PAGE_ACTION = 'setup-page';
const SELECT_ACTION = 'setup-wizard';

/** Discord allows five rows a message: four selects and the page buttons fit, so the settings are paged. */
const PAGES = { roles: 'Roles', channels: 'Channels', posts: 'Posts' } as const;
type Page = keyof typeof PAGES;

type GuildField = 'adminRoleIds' | 'modRoleIds' | 'verifiedRoleId' | 'unverifiedRoleId' | 'adminLogChannelId';
type Store = { table: 'guild'; field: GuildField } | { table: 'tasks'; field: 'taskChannelId' | 'reviewChannelId' } | { table: 'sync'; entityType: SyncChannelType };

interface Setting {
  label: string;
  page: Page;
  kind: 'role' | 'channel';
  /** Many values (role lists) or one; a single value is cleared by deselecting it (min 0). */
  multi: boolean;
  store: Store;
}

const SETTINGS = {
  adminRoles: { label: 'Admin roles', page: 'roles', kind: 'role', multi: true, store: { table: 'guild', field: 'adminRoleIds' } },
  modRoles: { label: 'Moderator roles', page: 'roles', kind: 'role', multi: true, store: { table: 'guild', field: 'modRoleIds' } },
  verifiedRole: { label: 'Verified role', page: 'roles', kind: 'role', multi: false, store: { table: 'guild', field: 'verifiedRoleId' } },
  unverifiedRole: { label: 'Unverified role', page: 'roles', kind: 'role', multi: false, store: { table: 'guild', field: 'unverifiedRoleId' } },
  adminLog: { label: 'Admin-log channel', page: 'channels', kind: 'channel', multi: false, store: { table: 'guild', field: 'adminLogChannelId' } },
  taskChannel: { label: 'Task channel', page: 'channels', kind: 'channel', multi: false, store: { table: 'tasks', field: 'taskChannelId' } },
  reviewChannel: { label: 'Task review channel', page: 'channels', kind: 'channel', multi: false, store: { table: 'tasks', field: 'reviewChannelId' } },
  leaderboard: { label: 'Leaderboard channel', page: 'posts', kind: 'channel', multi: false, store: { table: 'sync', entityType: 'leaderboard' } },
  shopPosts: { label: 'Shop item posts channel', page: 'posts', kind: 'channel', multi: false, store: { table: 'sync', entityType: 'shop_item' } },
} as const satisfies Record<string, Setting>;
type SettingName = keyof typeof SETTINGS;

const isPage = (key: string): key is Page => Object.hasOwn(PAGES, key);
const isSetting = (key: string): key is SettingName => Object.hasOwn(SETTINGS, key);
const MAX_ROLES = 25; // the settings API's limit, and Discord's for a select
const CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

/** Every setting's current ids, read from where each lives. */
async function currentValues(prisma: BotDeps['prisma'], guildId: string): Promise<Record<SettingName, string[]>> {
  const [guild, tasks, sync] = await Promise.all([
    prisma.guildSettings.findUnique({ where: { guildId } }),
    getTaskSettings(prisma, guildId),
    prisma.syncChannel.findMany({ where: { guildId } }),
  ]);
  const one = (id: string | null | undefined) => (id ? [id] : []);
  const syncOf = (t: SyncChannelType) => one(sync.find((s) => s.entityType === t)?.channelId);
  return {
    adminRoles: guild?.adminRoleIds ?? [],
    modRoles: guild?.modRoleIds ?? [],
    verifiedRole: one(guild?.verifiedRoleId),
    unverifiedRole: one(guild?.unverifiedRoleId),
    adminLog: one(guild?.adminLogChannelId),
    taskChannel: one(tasks.taskChannelId),
    reviewChannel: one(tasks.reviewChannelId),
    leaderboard: syncOf('leaderboard'),
    shopPosts: syncOf('shop_item'),
  };
}

/** The wizard at one page: the current values in words, a select per setting, and the page buttons. */
async function render(prisma: BotDeps['prisma'], guildId: string, page: Page): Promise<InteractionUpdateOptions & { content: string }> {
  const values = await currentValues(prisma, guildId);
  const names = (Object.keys(SETTINGS) as SettingName[]).filter((n) => SETTINGS[n].page === page);
  const mention = (s: Setting, id: string) => (s.kind === 'role' ? `<@&${id}>` : `<#${id}>`);
  const lines = names.map((n) => `**${SETTINGS[n].label}**: ${values[n].map((id) => mention(SETTINGS[n], id)).join(', ') || 'not set'}`);
  const selects = names.map((n) => {
    const s: Setting = SETTINGS[n];
    const id = customId(SELECT_ACTION, n);
    const placeholder = `${s.label}${s.multi ? '' : ' (deselect to clear)'}`;
    const menu =
      s.kind === 'role'
        ? new RoleSelectMenuBuilder().setDefaultRoles(values[n])
        : new ChannelSelectMenuBuilder().setChannelTypes(...CHANNEL_TYPES).setDefaultChannels(values[n]);
    menu.setCustomId(id).setPlaceholder(placeholder).setMinValues(0).setMaxValues(s.multi ? MAX_ROLES : 1);
    return new ActionRowBuilder<RoleSelectMenuBuilder | ChannelSelectMenuBuilder>().addComponents(menu).toJSON();
  });
  const pageButtons = buttonRow(
    (Object.keys(PAGES) as Page[]).map((p) => ({ action: PAGE_ACTION, key: p, label: PAGES[p], style: p === page ? ButtonStyle.Primary : ButtonStyle.Secondary, disabled: p === page })),
  );
  return {
    content: [`**Guildflow setup — ${PAGES[page]}**`, 'Each change is saved at once.', '', ...lines].join('\n'),
    components: [...selects, pageButtons],
    allowedMentions: { parse: [] },
  };
}

/** `/setup wizard`: the wizard, privately, at its first page. */
export async function openWizard(interaction: ChatInputCommandInteraction, { prisma }: BotDeps): Promise<void> {
  const view = await render(prisma, guildIdOf(interaction), 'roles');
  await interaction.reply({ ...view, flags: MessageFlags.Ephemeral });
}

/** Saves one setting (the ids already checked to be the guild's), audited as the API audits it. */
async function save(interaction: ComponentInteraction, deps: BotDeps, setting: Setting, ids: string[]): Promise<void> {
  const guildId = guildIdOf(interaction);
  const actor = { actorType: 'user' as const, actorId: `discord:${interaction.user.id}` };
  const { store } = setting;
  if (store.table === 'guild') {
    await updateGuildSettings(deps.prisma, guildId, { [store.field]: setting.multi ? ids : (ids[0] ?? null) }, actor);
  } else if (store.table === 'tasks') {
    await updateTaskSettings(deps.prisma, guildId, { [store.field]: ids[0] ?? null }, actor);
  } else {
    const channelDeps = { prisma: deps.prisma, target: { temporal: deps.temporal, taskQueue: deps.taskQueue } };
    const existing = await deps.prisma.syncChannel.findUnique({ where: { guildId_entityType: { guildId, entityType: store.entityType } } });
    const channelId = ids[0];
    if (channelId) {
      // The leaderboard keeps its asset and size; only the channel moves.
      const { asset, size } = (existing?.options ?? {}) as { asset?: string; size?: number };
      await setSyncChannel(channelDeps, guildId, store.entityType, { channelId, asset, size }, actor);
    } else if (existing) {
      await removeSyncChannel(channelDeps, guildId, store.entityType, actor);
    }
  }
}

/** A select of the wizard: the custom id names the setting only; the guild is the interaction's. */
const wizardSelect: ComponentHandler = {
  action: SELECT_ACTION,
  level: 'admin',
  async handle(interaction, key, deps) {
    if (!isSetting(key)) throw new AppError('unknown_component', 'This setup menu is no longer in use; run /setup wizard again.');
    const setting: Setting = SETTINGS[key];
    const ids = setting.kind === 'role' && interaction.isRoleSelectMenu() ? interaction.values : setting.kind === 'channel' && interaction.isChannelSelectMenu() ? interaction.values : null;
    if (!ids || ids.length > (setting.multi ? MAX_ROLES : 1)) throw new AppError('invalid_input', `Choose ${setting.multi ? 'roles' : `one ${setting.kind}`} for ${setting.label}.`);
    // @everyone (the guild's own id) is a role of the guild, but as a staff or verification role it would mean everyone.
    if (setting.kind === 'role' && ids.includes(guildIdOf(interaction))) throw new AppError('invalid_input', `@everyone cannot be chosen for ${setting.label}.`);
    await requireInInteractionGuild(interaction, setting.kind === 'role' ? { roles: { [setting.label]: ids } } : { channels: { [setting.label]: ids[0] } });
    // The menu offers text channels only; a crafted pick of a voice channel or category is refused too.
    const type = setting.kind === 'channel' && ids[0] ? (await interaction.client.channels.fetch(ids[0]))?.type : undefined;
    if (type !== undefined && !(CHANNEL_TYPES as readonly ChannelType[]).includes(type)) throw new AppError('invalid_input', `${setting.label}: choose a text or announcement channel.`);
    await save(interaction, deps, setting, ids);
    if (!interaction.isMessageComponent()) return;
    await interaction.update(await render(deps.prisma, guildIdOf(interaction), setting.page));
  },
};

/** The wizard's page buttons. */
const wizardPage: ComponentHandler = {
  action: PAGE_ACTION,
  level: 'admin',
  async handle(interaction, key, { prisma }) {
    if (!isPage(key) || !interaction.isButton()) throw new AppError('unknown_component', 'This setup page does not exist; run /setup wizard again.');
    await interaction.update(await render(prisma, guildIdOf(interaction), key));
  },
};

export const wizardComponents: readonly ComponentHandler[] = [wizardSelect, wizardPage];
