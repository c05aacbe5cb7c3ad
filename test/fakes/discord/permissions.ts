import { ApplicationFlags, OverwriteType, PermissionFlagsBits, type APIOverwrite } from 'discord-api-types/v10';

const P = PermissionFlagsBits;

/** Every permission bit Discord defines (what the owner and Administrator holders get). */
export const ALL_PERMISSIONS = Object.values(P).reduce((acc, bit) => acc | bit, 0n);

/** What a new guild's @everyone role allows (Discord's defaults for a fresh server). */
export const DEFAULT_EVERYONE_PERMISSIONS =
  P.CreateInstantInvite |
  P.AddReactions |
  P.Stream |
  P.ViewChannel |
  P.SendMessages |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.MentionEveryone |
  P.UseExternalEmojis |
  P.Connect |
  P.Speak |
  P.UseVAD |
  P.ChangeNickname |
  P.UseApplicationCommands |
  P.RequestToSpeak |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.UseExternalStickers |
  P.SendMessagesInThreads |
  P.UseEmbeddedActivities |
  P.SendVoiceMessages |
  P.SendPolls |
  P.UseExternalApps;

/**
 * What the bot's managed role gets by default: what an economy bot is invited with (manage roles,
 * nicknames, channels and threads, send and manage messages) — not Administrator, so hierarchy and
 * permission checks stay meaningful in tests.
 */
export const DEFAULT_BOT_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.AddReactions |
  P.UseExternalEmojis |
  P.ManageMessages |
  P.ManageRoles |
  P.ManageNicknames |
  P.ManageChannels |
  P.ManageThreads |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.UseApplicationCommands;

export interface RoleLike {
  id: string;
  position: number;
  permissions: bigint;
}

/** Guild-level permissions (Discord's "compute_base_permissions"). */
export function basePermissions(input: {
  guildId: string;
  ownerId: string;
  userId: string;
  roleIds: readonly string[];
  roles: ReadonlyMap<string, RoleLike>;
}): bigint {
  if (input.userId === input.ownerId) return ALL_PERMISSIONS;
  let perms = input.roles.get(input.guildId)?.permissions ?? 0n;
  for (const id of input.roleIds) perms |= input.roles.get(id)?.permissions ?? 0n;
  return perms & P.Administrator ? ALL_PERMISSIONS : perms;
}

/** Channel-level permissions: @everyone overwrite, then role overwrites together, then the member's own. */
export function applyOverwrites(input: {
  base: bigint;
  guildId: string;
  userId: string;
  roleIds: readonly string[];
  overwrites: readonly APIOverwrite[];
}): bigint {
  if (input.base & P.Administrator) return ALL_PERMISSIONS;
  let perms = input.base;
  const everyone = input.overwrites.find((o) => o.id === input.guildId);
  if (everyone) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of input.overwrites) {
    if (o.type === OverwriteType.Role && o.id !== input.guildId && input.roleIds.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const own = input.overwrites.find((o) => o.type === OverwriteType.Member && o.id === input.userId);
  if (own) perms = (perms & ~BigInt(own.deny)) | BigInt(own.allow);
  // Without View Channel every other channel permission is implicitly denied.
  return perms & P.ViewChannel ? perms : 0n;
}

/** Position of a member's highest role (0 = only @everyone). */
export function highestPosition(roleIds: readonly string[], roles: ReadonlyMap<string, RoleLike>): number {
  return roleIds.reduce((max, id) => Math.max(max, roles.get(id)?.position ?? 0), 0);
}

export function has(perms: bigint, needed: bigint): boolean {
  return (perms & needed) === needed;
}

/** Unverified apps with the portal toggles on carry the *_LIMITED flags (also sent in READY). */
export function applicationFlags(p: { guildMembers: boolean; guildPresences: boolean; messageContent: boolean }): ApplicationFlags {
  return (ApplicationFlags.ApplicationCommandBadge |
    (p.guildPresences ? ApplicationFlags.GatewayPresenceLimited : 0) |
    (p.guildMembers ? ApplicationFlags.GatewayGuildMembersLimited : 0) |
    (p.messageContent ? ApplicationFlags.GatewayMessageContentLimited : 0)) as ApplicationFlags;
}

/** Permissions an app has in a DM with a user (Discord sends a fixed set there). */
export const DM_APP_PERMISSIONS =
  P.AddReactions |
  P.ViewChannel |
  P.SendMessages |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.MentionEveryone |
  P.UseExternalEmojis |
  P.UseApplicationCommands |
  P.UseExternalStickers |
  P.SendVoiceMessages |
  P.SendPolls |
  P.UseExternalApps;
