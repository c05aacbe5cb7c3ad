import { ApplicationCommandOptionType, type APIApplicationCommandOption } from 'discord-api-types/v10';
import { commands } from '../../bot/commands';
import { refusal, type GrantName } from '../../lib/grants';
import { atLeast, type PermissionLevel } from '../../lib/permissions';
import { startE2E, type E2E } from '../e2e/harness';

/**
 * Every command of the registry × every level of member: the bot refuses exactly those below the
 * command's level (before its handler runs, changing nothing) and lets the others through. Derived from
 * the registry, so a new command is covered the day it is added.
 */

type Invocation = { command: string; level: PermissionLevel; grant?: GrantName; subcommand?: string; subcommandGroup?: string; options: APIApplicationCommandOption[] };

/** One invocation per subcommand (or the command itself when it has none). */
function invocations(): Invocation[] {
  return commands.flatMap((c): Invocation[] => {
    const level = c.level ?? 'user';
    const grant = c.grant;
    const options = (c.data.options ?? []) as APIApplicationCommandOption[];
    const subs = options.filter((o) => o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup);
    if (subs.length === 0) return [{ command: c.data.name, level, grant, options }];
    return subs.flatMap((s): Invocation[] =>
      s.type === ApplicationCommandOptionType.SubcommandGroup
        ? (s.options ?? []).map((inner) => ({ command: c.data.name, level, grant, subcommandGroup: s.name, subcommand: inner.name, options: (inner.options ?? []) as APIApplicationCommandOption[] }))
        : [{ command: c.data.name, level, grant, subcommand: s.name, options: (s.type === ApplicationCommandOptionType.Subcommand ? (s.options ?? []) : []) as APIApplicationCommandOption[] }],
    );
  });
}

const ACTORS = ['member', 'mod', 'admin', 'owner'] as const;
const LEVEL_OF: Record<(typeof ACTORS)[number], PermissionLevel> = { member: 'user', mod: 'mod', admin: 'admin', owner: 'owner' };

describe('command permission matrix', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
    const { guild, roles } = e2e.demo;
    await e2e.prisma.guildSettings.update({ where: { guildId: guild.id }, data: { adminRoleIds: [roles.admin.id], modRoleIds: [roles.mod.id] } });
  });
  afterAll(() => e2e?.close());

  /** A value for each required option, so the fake delivers the command as Discord would. */
  const requiredOptions = (options: APIApplicationCommandOption[]): Record<string, unknown> => {
    const { member, guild } = e2e.demo;
    const values: Record<string, unknown> = {};
    for (const o of options) {
      if (!('required' in o) || !o.required) continue;
      switch (o.type) {
        case ApplicationCommandOptionType.String:
          values[o.name] = 'choices' in o && o.choices?.length ? o.choices[0]!.value : 'x'.repeat(Math.max(1, o.min_length ?? 1));
          break;
        case ApplicationCommandOptionType.Integer:
        case ApplicationCommandOptionType.Number:
          values[o.name] = 'choices' in o && o.choices?.length ? o.choices[0]!.value : Math.max(1, o.min_value ?? 1);
          break;
        case ApplicationCommandOptionType.User:
          values[o.name] = member.id;
          break;
        case ApplicationCommandOptionType.Boolean:
          values[o.name] = false;
          break;
        case ApplicationCommandOptionType.Channel:
          values[o.name] = guild.systemChannelId;
          break;
        case ApplicationCommandOptionType.Role:
          values[o.name] = e2e.demo.roles.verified.id;
          break;
        default:
          throw new Error(`permission matrix: no test value for option ${o.name} of type ${o.type}`);
      }
    }
    return values;
  };

  /** Row counts of every table: a refused command must not change any of them. */
  const changes = async () => {
    const tables = await e2e.prisma.$queryRaw<{ name: string }[]>`
      SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`;
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const [row] = await e2e.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${name}"`);
      counts[name] = Number(row!.n);
    }
    return counts;
  };

  it('covers the registry', () => {
    const names = new Set(invocations().map((i) => i.command));
    expect([...names].sort()).toEqual(commands.map((c) => c.data.name).sort());
    // Sanity: the matrix has staff-only commands to refuse.
    expect(invocations().some((i) => i.level !== 'user')).toBe(true);
  });

  it('staff commands are hidden from members by Discord too, member commands are not', () => {
    for (const c of commands) {
      const hidden = c.data.default_member_permissions !== undefined && c.data.default_member_permissions !== null;
      expect({ command: c.data.name, hidden }).toEqual({ command: c.data.name, hidden: (c.level ?? 'user') !== 'user' });
    }
  });

  it.each(ACTORS)('refuses %s exactly below each command’s level, changing nothing', async (actor) => {
    const { guild } = e2e.demo;
    const userId = e2e.demo[actor].id;
    const actual = LEVEL_OF[actor];
    for (const inv of invocations()) {
      const allowed = atLeast(actual, inv.level);
      const before = allowed ? undefined : await changes();
      const handle = e2e.discord.slash(guild.id, userId, inv.command, requiredOptions(inv.options), {
        subcommand: inv.subcommand,
        subcommandGroup: inv.subcommandGroup,
        ignoreCommandPermissions: true,
      });
      const first = await handle.waitForResponse();
      const content = (first.data as { content?: string } | undefined)?.content ?? '';
      const where = `/${[inv.command, inv.subcommandGroup, inv.subcommand].filter(Boolean).join(' ')} as ${actor}`;
      if (allowed) {
        expect({ where, refused: /^Only a server \w+ or /.test(content) }).toEqual({ where, refused: false });
        // A deferred command works after its ack (a workflow answers by editing the reply): let it finish,
        // so what it writes is not counted against the next refusal.
        if (first.type === 5 || first.type === 6) {
          await e2e.discord.waitFor(() => (handle.responses().length > 1 ? true : undefined), 15_000, `${where} to finish after its ack`);
        }
      } else {
        expect({ where, content, ephemeral: first.ephemeral }).toEqual({
          where,
          content: refusal(inv, actual),
          ephemeral: true,
        });
        expect({ where, changes: await changes() }).toEqual({ where, changes: before });
      }
    }
    // One interaction after another through the whole registry (every subcommand): time grows with it.
  }, 240_000);
});
