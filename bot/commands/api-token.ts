import { ApplicationCommandOptionType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import { createApiToken, revokeApiToken } from '../../lib/api-tokens';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { AppError } from '../../lib/errors';
import { PERMISSION_LEVELS, type PermissionLevel } from '../../lib/permissions';
import { interactionLevel } from '../permissions';
import type { Command } from '../command';

/** `/api-token create|list|revoke`: admins mint dashboard/API tokens for their guild without a shell. */
export const apiTokenCommand: Command = {
  level: 'admin',
  data: {
    name: 'api-token',
    description: 'Manage API tokens for the Guildflow dashboard and API',
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
    contexts: [0],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'create',
        description: 'Create a token (shown once)',
        options: [
          { type: ApplicationCommandOptionType.String, name: 'name', description: 'What it is for', required: true, max_length: 64 },
          {
            type: ApplicationCommandOptionType.String,
            name: 'level',
            description: 'What it may do (at most your own level)',
            required: true,
            choices: PERMISSION_LEVELS.map((l) => ({ name: l, value: l })),
          },
        ],
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'List this server’s tokens' },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'revoke',
        description: 'Revoke a token',
        options: [{ type: ApplicationCommandOptionType.String, name: 'id', description: 'The token id (from /api-token list)', required: true }],
      },
    ],
  },
  async handle(interaction, { prisma }) {
    if (!interaction.inGuild()) throw new AppError('guild_only', 'Use this in a server.');
    const guildId = interaction.guildId;
    const actor = `discord:${interaction.user.id}`;
    switch (interaction.options.getSubcommand()) {
      case 'create': {
        const { id, token } = await createApiToken(prisma, {
          guildId,
          name: interaction.options.getString('name', true),
          level: interaction.options.getString('level', true) as PermissionLevel,
          createdBy: actor,
          creatorLevel: await interactionLevel(interaction, prisma),
        });
        await interaction.reply({
          flags: MessageFlags.Ephemeral,
          embeds: [
            guildflowEmbed({
              outcome: 'success',
              title: `API token ${id} created`,
              description: `Copy it now: it is shown only once.\n\`\`\`\n${token}\n\`\`\`\nUse it as \`Authorization: Bearer <token>\`.`,
            }),
          ],
        });
        return;
      }
      case 'list': {
        const tokens = await prisma.apiToken.findMany({ where: { guildId, revokedAt: null }, orderBy: { createdAt: 'desc' }, take: 25 });
        await interaction.reply({
          flags: MessageFlags.Ephemeral,
          embeds: [
            guildflowEmbed({
              outcome: 'info',
              title: 'API tokens',
              description: tokens.length
                ? tokens.map((t) => `\`${t.id}\` · ${t.name} · ${t.level} · last used ${t.lastUsedAt ? `<t:${Math.floor(t.lastUsedAt.getTime() / 1000)}:R>` : 'never'}`).join('\n')
                : 'No active tokens.',
            }),
          ],
        });
        return;
      }
      case 'revoke': {
        const id = interaction.options.getString('id', true);
        await revokeApiToken(prisma, { guildId, tokenId: id, actorId: actor, actorLevel: await interactionLevel(interaction, prisma) });
        await interaction.reply({ flags: MessageFlags.Ephemeral, embeds: [guildflowEmbed({ outcome: 'success', title: `API token ${id} revoked` })] });
        return;
      }
    }
  },
};
