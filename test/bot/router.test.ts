import { ButtonStyle, ComponentType, InteractionResponseType, MessageFlags, ModalBuilder, TextInputStyle, type ButtonInteraction } from 'discord.js';
import type { Command, ComponentHandler, ComponentInteraction } from '../../bot/command';
import { textInputRow } from '../../bot/interaction';
import { customId } from '../../lib/discord/custom-id';
import { waitFor } from '../../lib/wait';
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
/** A message with one button per slow handler below. */
const buttons: Command = {
  data: { name: 'buttons', description: 'slow buttons' },
  async handle(interaction) {
    await interaction.reply({
      content: 'pong',
      components: [
        {
          type: ComponentType.ActionRow,
          components: ['slow-update', 'slow-reply', 'slow-defer-reply', 'slow-modal', 'quick-update'].map((action) => ({ type: ComponentType.Button, style: ButtonStyle.Secondary, label: action, customId: customId(action, '1') })),
        },
      ],
    });
  },
};
const again: ComponentHandler = {
  action: 'ping-again',
  async handle(interaction, key) {
    await interaction.reply({ content: `again ${key}`, flags: MessageFlags.Ephemeral });
  },
};

/**
 * Slow buttons: each waits until the test opens its gate (after the router acknowledged it), then answers
 * as handlers do: update, reply, deferReply + editReply, or showModal.
 */
const gates = new Map<string, () => void>();
const gateOf = (interaction: ComponentInteraction) => new Promise<void>((open) => gates.set(interaction.id, open));
/** These handlers are on buttons only. */
function button(interaction: ComponentInteraction): ButtonInteraction {
  if (!interaction.isButton()) throw new Error('a button handler');
  return interaction;
}
const slow: ComponentHandler[] = [
  {
    action: 'slow-update',
    async handle(component) {
      const interaction = button(component);
      await gateOf(interaction);
      await interaction.update({ content: 'updated late', components: [] });
    },
  },
  {
    action: 'slow-reply',
    async handle(component) {
      const interaction = button(component);
      await gateOf(interaction);
      await interaction.reply({ content: 'replied late', flags: MessageFlags.Ephemeral });
    },
  },
  {
    action: 'slow-defer-reply',
    async handle(component) {
      const interaction = button(component);
      await gateOf(interaction);
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply({ content: 'working…' });
      await interaction.editReply({ content: 'done late' });
    },
  },
  {
    action: 'slow-modal',
    async handle(component) {
      const interaction = button(component);
      await gateOf(interaction);
      await interaction.showModal(new ModalBuilder().setCustomId(customId('slow-form', '1')).setTitle('Form').addComponents(textInputRow('text', 'Text', TextInputStyle.Short, true, 10) as never));
    },
  },
  {
    action: 'quick-update',
    async handle(component) {
      await button(component).update({ content: 'updated at once', components: [] });
    },
  },
];
/** Shorter than the fake Discord's 3 s window, so a slow handler is acknowledged well inside it even under load. */
const ACKNOWLEDGE_AFTER_MS = 300;

describe('interaction router', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ registry: { commands: [ping, adminOnly, broken, buttons], components: [again, ...slow], acknowledgeComponentsAfterMs: ACKNOWLEDGE_AFTER_MS } });
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

  describe('a button whose handler is slow to answer', () => {
    const member = () => e2e.demo.member.id;
    /** Clicks `action` on a fresh message of buttons; answers once the router acknowledged the click for the handler. */
    async function slowClick(action: string) {
      const r = await answer(e2e.discord.slash(e2e.demo.guild.id, member(), 'buttons'));
      const message = e2e.discord.message(r.messageId!)!;
      const click = e2e.discord.clickButton(message, customId(action, '1'), member());
      const ack = await click.waitForResponse(15_000);
      expect(ack).toMatchObject({ kind: 'callback', type: InteractionResponseType.DeferredMessageUpdate });
      await waitFor(() => gates.get(click.id), { timeoutMs: 15_000, what: 'the handler at its gate' });
      gates.get(click.id)!();
      return { message, click };
    }

    it('is acknowledged in time; its late update edits the message', async () => {
      const { message, click } = await slowClick('slow-update');
      await waitFor(() => e2e.discord.message(message.id)?.content === 'updated late' || null, { timeoutMs: 15_000, what: 'the message edited' });
      expect(click.responses().map((r) => [r.kind, r.target ?? null])).toEqual([
        ['callback', null],
        ['edit', 'original'],
      ]);
      expect(e2e.discord.message(message.id)?.components).toEqual([]);
    });

    it('its late reply becomes an ephemeral follow-up', async () => {
      const { click } = await slowClick('slow-reply');
      const [, followUp] = await click.waitForResponses(2, 15_000);
      expect(followUp).toMatchObject({ kind: 'followup', ephemeral: true, data: expect.objectContaining({ content: 'replied late' }) });
    });

    it('its late deferred reply becomes one ephemeral follow-up, edited afterwards; the clicked message stays as it was', async () => {
      const { message, click } = await slowClick('slow-defer-reply');
      const responses = await click.waitForResponses(3, 15_000);
      expect(responses.map((r) => [r.kind, r.ephemeral])).toEqual([
        ['callback', false],
        ['followup', true],
        ['edit', true],
      ]);
      expect(e2e.discord.message(responses[2]!.messageId!)?.content).toBe('done late');
      expect(e2e.discord.message(message.id)?.content).toBe('pong');
    });

    it('a form it opens late is refused with a clear message (a modal cannot follow an acknowledgement)', async () => {
      const { click } = await slowClick('slow-modal');
      const [, refusal] = await click.waitForResponses(2, 15_000);
      expect(refusal).toMatchObject({ kind: 'followup', ephemeral: true, data: expect.objectContaining({ content: 'That took too long to open the form: press the button again.' }) });
    });

    it('a handler that answers at once is not acknowledged for: one update', async () => {
      const r = await answer(e2e.discord.slash(e2e.demo.guild.id, member(), 'buttons'));
      const click = e2e.discord.clickButton(e2e.discord.message(r.messageId!)!, customId('quick-update', '1'), member());
      expect(await click.waitForResponse(15_000)).toMatchObject({ kind: 'callback', type: InteractionResponseType.UpdateMessage });
      // A slow click made after it is acknowledged after its own wait: by then this one's would have been sent too.
      await slowClick('slow-update');
      expect(click.responses()).toHaveLength(1);
    });
  });
});
