import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { FakeChannel, FakeDiscord, FakeGuild, FakeRole, FakeUser } from './discord';

/** A small community to drive flows against: an owner, an admin, a moderator and a member, with the usual roles and channels. */
export interface DemoGuild {
  guild: FakeGuild;
  owner: FakeUser;
  admin: FakeUser;
  mod: FakeUser;
  member: FakeUser;
  roles: { admin: FakeRole; mod: FakeRole; verified: FakeRole; unverified: FakeRole };
  channels: { general: string; adminLog: FakeChannel; shop: FakeChannel; tasks: FakeChannel };
}

export function seedDemoGuild(discord: FakeDiscord, name = 'Guildflow Demo'): DemoGuild {
  const owner = discord.createUser({ username: 'demo-owner', globalName: 'Demo Owner' });
  const guild = discord.createGuild({ name, ownerId: owner.id });
  const roles = {
    admin: discord.createRole(guild.id, { name: 'Admin', permissions: PermissionFlagsBits.ManageGuild }),
    mod: discord.createRole(guild.id, { name: 'Moderator', permissions: PermissionFlagsBits.ManageMessages }),
    verified: discord.createRole(guild.id, { name: 'Verified' }),
    unverified: discord.createRole(guild.id, { name: 'Unverified' }),
  };
  // The bot's role above every role it manages, as a server admin sets it up.
  discord.setBotRolePosition(guild.id, discord.roles(guild.id).length);
  const admin = discord.createUser({ username: 'demo-admin', globalName: 'Ada Admin' });
  const mod = discord.createUser({ username: 'demo-mod', globalName: 'Mo Moderator' });
  const member = discord.createUser({ username: 'demo-member', globalName: 'Mia Member' });
  discord.addMember(guild.id, admin.id, { roles: [roles.admin.id] });
  discord.addMember(guild.id, mod.id, { roles: [roles.mod.id] });
  discord.addMember(guild.id, member.id, { roles: [roles.unverified.id] });
  const staffOnly = [
    { id: guild.everyoneRoleId, type: 0 as const, deny: PermissionFlagsBits.ViewChannel },
    { id: guild.botRoleId, type: 0 as const, allow: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages },
    { id: roles.admin.id, type: 0 as const, allow: PermissionFlagsBits.ViewChannel },
  ];
  return {
    guild,
    owner,
    admin,
    mod,
    member,
    roles,
    channels: {
      general: guild.systemChannelId,
      adminLog: discord.createChannel(guild.id, { name: 'admin-log', type: ChannelType.GuildText, permissionOverwrites: staffOnly }),
      shop: discord.createChannel(guild.id, { name: 'shop', type: ChannelType.GuildText }),
      tasks: discord.createChannel(guild.id, { name: 'tasks', type: ChannelType.GuildText }),
    },
  };
}
