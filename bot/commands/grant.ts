import { ApplicationCommandOptionType, MessageFlags, PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import { addGrant, listGrants, removeGrant, subjectMention } from '../../activities/grants';
import type { GrantInput } from '../../lib/requests/grants';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { AppError } from '../../lib/errors';
import { GRANT_NAMES, GRANTS, type GrantName } from '../../lib/grants';
import type { Command } from '../command';
import { guildIdOf } from '../interaction';
import { requireInInteractionGuild } from '../scope';

const permissionOption = {
  type: ApplicationCommandOptionType.String,
  name: 'permission',
  description: 'What it lets them do',
  required: true,
  choices: GRANT_NAMES.map((g) => ({ name: GRANTS[g].label, value: g })),
} as const;
const subjectOptions = [
  { type: ApplicationCommandOptionType.User, name: 'member', description: 'A member (or give a role)' },
  { type: ApplicationCommandOptionType.Role, name: 'role', description: 'A role: everyone with it (or give a member)' },
] as const;

/** The grant the options name: exactly one of member and role, checked to be this server's. */
async function grantOf(interaction: ChatInputCommandInteraction): Promise<GrantInput> {
  const permission = interaction.options.getString('permission', true) as GrantName;
  const member = interaction.options.getUser('member');
  const role = interaction.options.getRole('role');
  if (!member === !role) throw new AppError('invalid_input', 'Name exactly one of member and role.');
  await requireInInteractionGuild(interaction, member ? { members: { member: member.id } } : { roles: { role: role!.id } });
  return member ? { permission, subjectType: 'user', subjectId: member.id } : { permission, subjectType: 'role', subjectId: role!.id };
}

/** The roles of the member an option names, as the interaction resolved them. */
function rolesOf(interaction: ChatInputCommandInteraction, option: string): readonly string[] {
  const member = interaction.options.getMember(option);
  if (!member) return [];
  return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
}

/** `/grant add|remove|list`: the owner and admins give members and roles named permissions (lib/grants.ts), audited. */
export const grantCommand: Command = {
  level: 'admin',
  data: {
    name: 'grant',
    description: 'Let a member or a role do one thing that otherwise needs a mod or admin',
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
    contexts: [0],
    options: [
      { type: ApplicationCommandOptionType.Subcommand, name: 'add', description: 'Give a permission to a member or a role', options: [permissionOption, ...subjectOptions] },
      { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Take a permission back', options: [permissionOption, ...subjectOptions] },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'list',
        description: 'The permissions given in this server (or those one member holds)',
        options: [{ type: ApplicationCommandOptionType.User, name: 'member', description: 'Only what this member holds, directly or through a role' }],
      },
    ],
  },
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const actor = { actorType: 'user', actorId: `discord:${interaction.user.id}` } as const;
    const reply = (outcome: 'success' | 'info', title: string, description?: string) =>
      interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome, title, description })] });
    switch (interaction.options.getSubcommand()) {
      case 'add': {
        const input = await grantOf(interaction);
        const { added } = await addGrant(prisma, guildId, input, actor);
        const label = GRANTS[input.permission].label;
        await reply(added ? 'success' : 'info', added ? `Granted ${label}` : `Already granted: ${label}`, `${subjectMention(input)}: ${GRANTS[input.permission].description}`);
        return;
      }
      case 'remove': {
        const input = await grantOf(interaction);
        await removeGrant(prisma, guildId, input, actor);
        await reply('success', `Removed ${GRANTS[input.permission].label}`, `${subjectMention(input)} no longer holds it.`);
        return;
      }
      case 'list': {
        const member = interaction.options.getUser('member');
        const grants = await listGrants(prisma, guildId, { holder: member ? { userId: member.id, roleIds: rolesOf(interaction, 'member') } : undefined, take: 50 });
        const lines = grants.map((g) => `\`${g.id}\` · ${GRANTS[g.permission as GrantName]?.label ?? g.permission} · ${subjectMention(g)}`);
        await reply('info', member ? `Grants of ${member.username}` : 'Grants in this server', lines.length ? lines.join('\n') : 'None.');
        return;
      }
    }
  },
};
