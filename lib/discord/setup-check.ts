import { PermissionFlagsBits } from 'discord-api-types/v10';

/**
 * Whether Guildflow can do each feature's job in a server: from the guild's roles, its channels with
 * their permission overwrites and the bot's member, the problems per feature, each with the exact fix.
 * Pure: the caller fetches the Discord data and says what each feature needs (bot/commands/setup/check.ts).
 */

export interface CheckRole {
  id: string;
  name: string;
  position: number;
  permissions: bigint;
  /** Anyone may ping it; otherwise pinging it needs Mention Everyone in the channel. */
  mentionable?: boolean;
}

export interface CheckOverwrite {
  id: string;
  /** 0 = role, 1 = member */
  type: number;
  allow: bigint;
  deny: bigint;
}

export interface CheckChannel {
  id: string;
  name: string;
  overwrites: readonly CheckOverwrite[];
}

/** What one feature needs: channels it posts in, roles it gives or takes, guild-wide permissions. */
export interface FeatureNeeds {
  feature: string;
  channels: readonly { channelId: string; use: string; pins?: boolean; pingsRoleId?: string | null }[];
  roles: readonly { roleId: string; use: string }[];
  /** Guild-wide permissions with why they are needed, e.g. Manage Nicknames for the verified nickname. */
  permissions: readonly { permission: keyof typeof PERMISSION_NAMES; use: string }[];
}

export interface CheckInput {
  guildId: string;
  roles: readonly CheckRole[];
  channels: readonly CheckChannel[];
  bot: { userId: string; roleIds: readonly string[] };
  features: readonly FeatureNeeds[];
}

export interface FeatureReport {
  feature: string;
  problems: string[];
}

export const PERMISSION_NAMES = {
  ViewChannel: 'View Channel',
  SendMessages: 'Send Messages',
  EmbedLinks: 'Embed Links',
  ManageMessages: 'Manage Messages',
  ManageRoles: 'Manage Roles',
  ManageNicknames: 'Manage Nicknames',
  MentionEveryone: 'Mention @everyone, @here and All Roles',
} as const;
type PermissionName = keyof typeof PERMISSION_NAMES;

const ROLES_PATH = 'Server Settings → Roles';

/** The bot's permissions in the guild: @everyone's and its roles' (Administrator grants everything). */
function guildPermissions(input: Pick<CheckInput, 'guildId' | 'roles' | 'bot'>): bigint {
  const held = new Set([input.guildId, ...input.bot.roleIds]);
  const base = input.roles.filter((r) => held.has(r.id)).reduce((p, r) => p | r.permissions, 0n);
  return base & PermissionFlagsBits.Administrator ? ~0n : base;
}

/**
 * The bot's permissions in a channel, as Discord computes them: the guild's, then @everyone's overwrite,
 * then the roles' overwrites together (deny, then allow), then the member's own.
 */
export function channelPermissions(input: Pick<CheckInput, 'guildId' | 'roles' | 'bot'>, channel: CheckChannel): bigint {
  let perms = guildPermissions(input);
  if (perms === ~0n) return perms;
  const everyone = channel.overwrites.find((o) => o.type === 0 && o.id === input.guildId);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  const mine = channel.overwrites.filter((o) => o.type === 0 && o.id !== input.guildId && input.bot.roleIds.includes(o.id));
  const deny = mine.reduce((d, o) => d | o.deny, 0n);
  const allow = mine.reduce((a, o) => a | o.allow, 0n);
  perms = (perms & ~deny) | allow;
  const member = channel.overwrites.find((o) => o.type === 1 && o.id === input.bot.userId);
  if (member) perms = (perms & ~member.deny) | member.allow;
  return perms;
}

const has = (perms: bigint, name: PermissionName) => (perms & PermissionFlagsBits[name]) !== 0n;
const list = (names: readonly PermissionName[]) => names.map((n) => `*${PERMISSION_NAMES[n]}*`).join(', ');

/** The problems of every feature, in the order given; an empty list means the feature can do its job. */
export function checkSetup(input: CheckInput): FeatureReport[] {
  const roles = new Map(input.roles.map((r) => [r.id, r]));
  const channels = new Map(input.channels.map((c) => [c.id, c]));
  const guildPerms = guildPermissions(input);
  const botRoles = input.bot.roleIds.map((id) => roles.get(id)).filter((r): r is CheckRole => r !== undefined);
  const top = botRoles.reduce<CheckRole | undefined>((t, r) => (!t || r.position > t.position ? r : t), undefined);
  const botRoleName = top ? `Guildflow's role (@${top.name})` : "Guildflow's role";

  return input.features.map(({ feature, channels: wanted, roles: managed, permissions }) => {
    const problems: string[] = [];
    for (const { channelId, use, pins, pingsRoleId } of wanted) {
      const channel = channels.get(channelId);
      if (!channel) {
        problems.push(`The ${use} (id ${channelId}) no longer exists: choose another channel for it.`);
        continue;
      }
      const perms = channelPermissions(input, channel);
      const needed: PermissionName[] = ['ViewChannel', 'SendMessages', 'EmbedLinks', ...(pins ? (['ManageMessages'] as const) : [])];
      const missing = needed.filter((n) => !has(perms, n));
      if (missing.length) problems.push(`Give Guildflow ${list(missing)} in <#${channel.id}> (the ${use}: channel settings → Permissions).`);
      if (pingsRoleId) {
        const ping = roles.get(pingsRoleId);
        if (!ping) problems.push(`The role the ${use} pings (id ${pingsRoleId}) no longer exists: choose another role to ping.`);
        else if (!ping.mentionable && !has(perms, 'MentionEveryone')) {
          problems.push(`Make <@&${ping.id}> mentionable (${ROLES_PATH}) or give Guildflow *${PERMISSION_NAMES.MentionEveryone}* in <#${channel.id}>: the ${use} pings it, and the ping would not notify anyone.`);
        }
      }
    }
    if (managed.length && !has(guildPerms, 'ManageRoles')) {
      problems.push(`Give ${botRoleName} the *Manage Roles* permission (${ROLES_PATH}): it gives and takes ${managed.map((r) => `the ${r.use}`).join(', ')}.`);
    }
    for (const { roleId, use } of managed) {
      const role = roles.get(roleId);
      if (!role) problems.push(`The ${use} (id ${roleId}) no longer exists: choose another role for it.`);
      else if (!top || top.position <= role.position) problems.push(`Move ${botRoleName} above <@&${role.id}> (${ROLES_PATH}): it is the ${use}, and Guildflow can only give roles below its own.`);
    }
    for (const { permission, use } of permissions) {
      if (!has(guildPerms, permission)) problems.push(`Give ${botRoleName} the *${PERMISSION_NAMES[permission]}* permission (${ROLES_PATH}): ${use}.`);
    }
    return { feature, problems };
  });
}
