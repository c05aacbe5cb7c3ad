import { ButtonStyle, ComponentType, MessageFlags } from 'discord.js';
import type { Command, ComponentHandler } from '../../bot/command';
import { customId } from '../../lib/discord/custom-id';
import { startE2E, type E2E } from '../e2e/harness';

/** The dispatcher through an unmodified discord.js: permission levels, component routing, errors. */
const ping: Command = {
  data: { name: 'ping', description: 'anyone' },
  async handle(interaction) {
    await interaction.reply({
      content: 'pong',
      components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Again', customId: customId('ping-again', '7') }] }],
    });
  },
};
const adminOnly: Command = {
  data: { name: 'admin-thing', description: 'admins' },
  level: 'admin',
  async handle(interaction) {
    await interaction.reply({ content: 'admin done', flags: MessageFlags.Ephemeral });
  },
};
const broken: Command = {
  data: { name: 'broken', description: 'throws' },
  async handle() {
    throw new Error('database exploded: secret detail');
  },
};
const again: ComponentHandler = {
  action: 'ping-again',
  async handle(interaction, key) {
    await interaction.reply({ content: `again ${key}`, flags: MessageFlags.Ephemeral });
  },
};

describe('interaction router', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ registry: { commands: [ping, adminOnly, broken], components: [again] } });
    // The guild's configured admin role, as /economy settings or the API would set it.
    await e2e.prisma.guildSettings.update({ where: { guildId: e2e.demo.guild.id }, data: { adminRoleIds: [e2e.demo.roles.admin.id], modRoleIds: [e2e.demo.roles.mod.id] } });
  });
  afterAll(() => e2e?.close());

  async function answer(interaction: { id: string }) {
    return e2e.discord.waitFor(() => e2e.discord.interactionResponses(interaction.id)[0], 15_000, 'the answer');
  }

  it('lets admin-level commands through for the owner and configured admins only', async () => {
    const { guild, owner, admin, mod, member } = e2e.demo;
    const outcomes: Record<string, unknown> = {};
    for (const [who, user] of Object.entries({ owner, admin, mod, member })) {
      const r = await answer(e2e.discord.slash(guild.id, user.id, 'admin-thing'));
      outcomes[who] = (r.data as { content: string }).content;
      expect(r.ephemeral).toBe(true);
    }
    expect(outcomes).toEqual({
      owner: 'admin done',
      admin: 'admin done',
      mod: 'Only a server admin or above can do this (you are mod).',
      member: 'Only a server admin or above can do this (you are user).',
    });
  });

  it('routes a button by the action of its gf: id, with its key', async () => {
    const r = await answer(e2e.discord.slash(e2e.demo.guild.id, e2e.demo.member.id, 'ping'));
    const message = e2e.discord.message(r.messageId!)!;
    const click = await answer(e2e.discord.clickButton(message, 'gf:ping-again:7', e2e.demo.member.id));
    expect(click.data).toMatchObject({ content: 'again 7' });
  });

  it('answers an unexpected error ephemerally with a reference and no internals', async () => {
    const interaction = e2e.discord.slash(e2e.demo.guild.id, e2e.demo.member.id, 'broken');
    const r = await answer(interaction);
    expect(r.ephemeral).toBe(true);
    expect((r.data as { content: string }).content).toBe(`Something went wrong on our side (reference ${interaction.id}). Nothing was changed.`);
  });
});
