import { ApplicationCommandOptionType, type APIApplicationCommandOption, type APIEmbed } from 'discord-api-types/v10';
import { commands, features } from '../../bot/commands';
import { EMBED_LIMITS, helpMessages, type HelpSection } from '../../bot/commands/help';
import { atLeast, type PermissionLevel } from '../../lib/permissions';
import { startE2E, type E2E } from '../e2e/harness';

/**
 * `/help` through the fake Discord: each member gets, privately, exactly what the permission matrix says
 * they can run — every subcommand (or command) of the registry at or below their level — grouped under
 * its feature. The expected lists are worked out here from the registry, not by the help code.
 */

/** What a member at `level` can type, as `/command [group] subcommand`, the permission matrix's way. */
function runnable(level: PermissionLevel): string[] {
  return commands
    .filter((c) => atLeast(level, c.level ?? 'user'))
    .flatMap((c) => {
      const subs = ((c.data.options ?? []) as APIApplicationCommandOption[]).filter((o) => o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup);
      if (!subs.length) return [`/${c.data.name}`];
      return subs.flatMap((s) => (s.type === ApplicationCommandOptionType.SubcommandGroup ? (s.options ?? []).map((inner) => `/${c.data.name} ${s.name} ${inner.name}`) : [`/${c.data.name} ${s.name}`]));
    })
    .sort();
}

const ACTORS = ['member', 'mod', 'admin', 'owner'] as const;
const LEVEL_OF: Record<(typeof ACTORS)[number], PermissionLevel> = { member: 'user', mod: 'mod', admin: 'admin', owner: 'owner' };

/** Every `/usage` line of some embeds, with the title of the embed it is under. */
function listed(embeds: APIEmbed[]): { usage: string; feature: string }[] {
  return embeds.flatMap((e) => [...(e.description ?? '').matchAll(/^`(\/[^`]+)` — \S/gm)].map((m) => ({ usage: m[1]!, feature: (e.title ?? '').replace(/ \(continued\)$/, '') })));
}

describe('/help', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
    const { guild, roles } = e2e.demo;
    await e2e.prisma.guildSettings.update({ where: { guildId: guild.id }, data: { adminRoleIds: [roles.admin.id], modRoleIds: [roles.mod.id] } });
  });
  afterAll(() => e2e?.close());

  /** Runs /help as `actor` and collects every line of every (ephemeral) message it answered with. */
  async function help(actor: (typeof ACTORS)[number]) {
    const expected = runnable(LEVEL_OF[actor]);
    const handle = e2e.discord.slash(e2e.demo.guild.id, e2e.demo[actor].id, 'help');
    const embedsOf = () => handle.responses().flatMap((r) => (r.data as { embeds?: APIEmbed[] } | undefined)?.embeds ?? []);
    // Long lists come as follow-ups: wait until as many lines as expected arrived (more would fail below).
    await e2e.discord.waitFor(() => (listed(embedsOf()).length >= expected.length ? true : undefined), 10_000, `/help as ${actor} to list ${expected.length} commands`);
    return { expected, responses: handle.responses(), lines: listed(embedsOf()) };
  }

  it.each(ACTORS)('lists for a %s exactly the commands and subcommands they can run, privately, by feature', async (actor) => {
    const { expected, responses, lines } = await help(actor);
    expect(lines.map((l) => l.usage).sort()).toEqual(expected);
    expect(responses.map((r) => ({ kind: r.kind, ephemeral: r.ephemeral }))).toEqual(responses.map((r, i) => ({ kind: i === 0 ? 'callback' : 'followup', ephemeral: true })));
    // Each line is under the feature its command is registered in.
    const featureOf = new Map(features.flatMap((f) => f.commands.map((c) => [c.data.name, f.name] as const)));
    for (const { usage, feature } of lines) expect({ usage, feature }).toEqual({ usage, feature: featureOf.get(usage.slice(1).split(' ')[0]!) });
  });

  it('shows a member their own commands and none of the staff ones; staff see theirs too', async () => {
    const member = (await help('member')).lines.map((l) => l.usage);
    expect(member).toEqual(expect.arrayContaining(['/balance', '/daily', '/help', '/shop', '/task create']));
    expect(member).not.toContain('/economy add');
    expect(member).not.toContain('/setup verification');
    expect(member.some((u) => u.startsWith('/api-token'))).toBe(false);
    const admin = (await help('admin')).lines.map((l) => l.usage);
    expect(admin).toEqual(expect.arrayContaining(['/balance', '/help', '/economy add', '/economy remove', '/setup verification', '/api-token create']));
    // Sanity for the matrix above: some commands are staff-only, so the lists differ.
    expect(admin.length).toBeGreaterThan(member.length);
  });

  it('a line reads as the command and its one-line description', async () => {
    const { lines, responses } = await help('member');
    const description = (responses[0]!.data as { embeds: APIEmbed[] }).embeds.map((e) => e.description).join('\n');
    expect(description).toContain('`/balance` — Show your balance, or another member’s');
    expect(lines.find((l) => l.usage === '/balance')!.feature).toBe('Economy');
  });
});

describe('helpMessages', () => {
  it('splits a list too long for one embed or one message within Discord’s limits, keeping every line in order', () => {
    const sections: HelpSection[] = Array.from({ length: 14 }, (_, f) => ({
      feature: `Feature ${f}`,
      entries: Array.from({ length: 60 }, (_, i) => ({ usage: `command-${f}-${i} sub-${'x'.repeat(20)}`, description: `${'d'.repeat(90)} ${i}` })),
    }));
    const messages = helpMessages(sections);
    expect(messages.length).toBeGreaterThan(1);
    for (const embeds of messages) {
      expect(embeds.length).toBeLessThanOrEqual(EMBED_LIMITS.embedsPerMessage);
      expect(embeds.reduce((n, e) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0), 0)).toBeLessThanOrEqual(EMBED_LIMITS.charsPerMessage);
      for (const e of embeds) expect(e.description!.length).toBeLessThanOrEqual(EMBED_LIMITS.description);
    }
    const all = messages.flat();
    expect(listed(all).map((l) => `${l.feature}|${l.usage}`)).toEqual(sections.flatMap((s) => s.entries.map((e) => `${s.feature}|/${e.usage}`)));
    expect(all.map((e) => e.title)).toContain('Feature 0 (continued)');
  });

  it('fits a short list into one message', () => {
    const messages = helpMessages([{ feature: 'Economy', entries: [{ usage: 'balance', description: 'Show your balance' }] }]);
    expect(messages).toEqual([[expect.objectContaining({ title: 'Economy', description: '`/balance` — Show your balance' })]]);
  });
});
