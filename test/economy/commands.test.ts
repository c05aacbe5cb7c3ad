import { userAccount } from '../../activities/ledger';
import { startE2E, type E2E } from '../e2e/harness';
import { answer, answerOf, balanceOf, fund, ledgerOf, newGuild, waitUntil } from './helpers';

/** The economy commands through the fake Discord, as members and admins use them. */
describe('economy commands', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
    const { guild, roles } = e2e.demo;
    await e2e.prisma.guildSettings.update({ where: { guildId: guild.id }, data: { adminRoleIds: [roles.admin.id], modRoleIds: [roles.mod.id] } });
  });
  afterAll(() => e2e?.close());

  const slash = (guildId: string, userId: string, name: string, options: Record<string, unknown> = {}, opts: { subcommand?: string; ignoreCommandPermissions?: boolean } = {}) =>
    answer(e2e.discord.slash(guildId, userId, name, options, opts));
  const entriesOf = async (guildId: string, type: 'daily' | 'give' | 'admin_adjust') => (await ledgerOf(e2e).entries({ guildId, type, limit: 100 })).items;

  describe('/balance and /daily', () => {
    it('pays the daily reward, refuses within the cooldown with the time left, grows the streak and resets it after the grace', async () => {
      const { guild, owner, members } = await newGuild(e2e, 'daily', 1);
      const [mia] = members as [typeof members[0]];
      expect(await slash(guild.id, mia.id, 'balance')).toMatchObject({ ephemeral: true, text: 'Your balance\nYou have **🪙 0 Coins**.' });

      // Seconds-long cooldown and grace through the admin command (hours may be fractions).
      const set = await slash(guild.id, owner.id, 'economy', { daily_amount: 100, streak_bonus: 10, streak_max: 5, cooldown_hours: 2 / 3600, streak_grace_hours: 2 / 3600 }, { subcommand: 'settings' });
      expect(set.ephemeral).toBe(true);
      expect(set.text).toContain('Economy settings updated');
      expect(set.text).toContain('Cooldown: 2s');
      expect(set.text).toContain('Streak bonus: 🪙 10 Coins per day in a row, at most 5 times');

      const claimRow = () => e2e.prisma.dailyClaim.findUniqueOrThrow({ where: { guildId_userId: { guildId: guild.id, userId: mia.id } } });
      const afterCooldown = async (extraSeconds = 0) => waitUntil(e2e, new Date((await claimRow()).lastClaimAt.getTime() + (2 + extraSeconds) * 1000));

      const first = await slash(guild.id, mia.id, 'daily');
      expect(first.ephemeral).toBe(true);
      expect(first.text).toMatch(/^Daily reward claimed\nYou received \*\*🪙 100 Coins\*\*\.\nStreak: \*\*1\*\* in a row\. Next claim <t:\d+:R>\.\nBalance: 🪙 100 Coins$/);

      const early = await slash(guild.id, mia.id, 'daily');
      expect(early.ephemeral).toBe(true);
      expect(early.text).toMatch(/^You already claimed your daily reward\. Come back in [12]s \(<t:\d+:R>\)\.$/);
      expect(await balanceOf(e2e, guild.id, mia.id)).toBe(100n);
      expect(await entriesOf(guild.id, 'daily')).toHaveLength(1);

      await afterCooldown();
      expect((await slash(guild.id, mia.id, 'daily')).text).toContain('You received **🪙 110 Coins** (with a 🪙 10 Coins streak bonus).\nStreak: **2** in a row.');
      await afterCooldown();
      expect((await slash(guild.id, mia.id, 'daily')).text).toContain('You received **🪙 120 Coins** (with a 🪙 20 Coins streak bonus).\nStreak: **3** in a row.');
      await afterCooldown(2.2); // past cooldown + grace: the streak is broken
      const reset = await slash(guild.id, mia.id, 'daily');
      expect(reset.text).toContain('You received **🪙 100 Coins**.\nStreak: **1** in a row.');
      expect(reset.text).toContain('Balance: 🪙 430 Coins');

      const daily = await entriesOf(guild.id, 'daily');
      expect(daily.map((e) => [e.key, e.postings.find((p) => p.account.ownerType === 'user')?.amount])).toEqual([
        [`daily:${guild.id}:${mia.id}:4`, 100n],
        [`daily:${guild.id}:${mia.id}:3`, 120n],
        [`daily:${guild.id}:${mia.id}:2`, 110n],
        [`daily:${guild.id}:${mia.id}:1`, 100n],
      ]);

      // A settings change shows in the next /daily and in the currency's name everywhere.
      const renamed = await slash(guild.id, owner.id, 'economy', { daily_amount: 250, currency_name: 'Bells', currency_emoji: '🔔' }, { subcommand: 'settings' });
      expect(renamed.text).toContain('Daily reward: 🔔 250 Bells');
      expect(renamed.text).toContain('Currency: 🔔 Bells');
      await afterCooldown();
      expect((await slash(guild.id, mia.id, 'daily')).text).toContain('You received **🔔 260 Bells** (with a 🔔 10 Bells streak bonus).\nStreak: **2** in a row.');
      expect((await slash(guild.id, mia.id, 'balance')).text).toBe('Your balance\nYou have **🔔 690 Bells**.');
      expect((await slash(guild.id, owner.id, 'balance', { user: mia.id })).text).toBe(`daily-m1’s balance\n<@${mia.id}> has **🔔 690 Bells**.`);
      const audit = await e2e.prisma.auditEvent.findMany({ where: { guildId: guild.id, action: 'economy_settings.updated' } });
      expect(audit.map((a) => [a.actorId, a.data])).toEqual([
        [`discord:${owner.id}`, { dailyAmount: '100', dailyCooldownSeconds: 2, dailyStreakBonus: '10', dailyStreakMax: 5, dailyStreakGraceSeconds: 2 }],
        [`discord:${owner.id}`, { dailyAmount: '250', currencyName: 'Bells', currencyEmoji: '🔔' }],
      ]);
    });

    it('/economy settings without options shows them; bad values change nothing', async () => {
      const { guild, owner } = await newGuild(e2e, 'settings', 0);
      const shown = await slash(guild.id, owner.id, 'economy', {}, { subcommand: 'settings' });
      expect(shown.text).toBe(
        [
          'Economy settings',
          'Change any of them with the options of /economy settings.',
          'Daily reward: 🪙 100 Coins',
          'Cooldown: 1d',
          'Streak bonus: 🪙 10 Coins per day in a row, at most 7 times',
          'Streak grace: 1d',
          'Currency: 🪙 Coins',
          'Admin balance changes: 5 per admin per minute',
        ].join('\n'),
      );
      for (const [options, message] of [
        [{ daily_amount: -5 }, 'The daily amount cannot be negative.'],
        [{ cooldown_hours: 0 }, 'The daily cooldown must be a whole number from 1 to 31,536,000 seconds.'],
        [{ adjust_limit: 0, daily_amount: 7 }, 'The admin adjust limit must be a whole number from 1 to 60 changes per minute.'],
      ] as const) {
        expect(await slash(guild.id, owner.id, 'economy', options, { subcommand: 'settings' })).toMatchObject({ ephemeral: true, text: message });
      }
      expect(await e2e.prisma.economySettings.findUnique({ where: { guildId: guild.id } })).toBeNull();
      expect(await e2e.prisma.auditEvent.count({ where: { guildId: guild.id } })).toBe(0);
    });
  });

  describe('/give', () => {
    it('refuses self, bots, non-members, 0, negative and over-balance amounts, changing nothing', async () => {
      const { guild, members } = await newGuild(e2e, 'give', 2);
      const [ann, ben] = members as [typeof members[0], typeof members[0]];
      const stranger = e2e.discord.createUser({ username: 'stranger' });
      const robot = e2e.discord.createUser({ username: 'robot', bot: true });
      e2e.discord.addMember(guild.id, robot.id);
      await fund(e2e, guild.id, ann.id, 100n);

      const refusals: [Record<string, unknown>, string][] = [
        [{ user: ann.id, amount: 5 }, 'You cannot give Coins to yourself.'],
        [{ user: robot.id, amount: 5 }, 'Bots cannot hold Coins; choose a member.'],
        [{ user: stranger.id, amount: 5 }, `<@${stranger.id}> is not a member of this server.`],
        [{ user: ben.id, amount: 0 }, 'The amount must be a positive number of Coins.'],
        [{ user: ben.id, amount: -5 }, 'The amount must be a positive number of Coins.'],
        [{ user: ben.id, amount: 101 }, 'You have 🪙 100 Coins, not enough to give 🪙 101 Coins. Nothing was sent.'],
      ];
      for (const [options, message] of refusals) {
        expect(await slash(guild.id, ann.id, 'give', options)).toMatchObject({ ephemeral: true, text: message });
      }
      expect([await balanceOf(e2e, guild.id, ann.id), await balanceOf(e2e, guild.id, ben.id)]).toEqual([100n, 0n]);
      expect(await entriesOf(guild.id, 'give')).toHaveLength(0);

      const gift = await slash(guild.id, ann.id, 'give', { user: ben.id, amount: 30, note: 'for the pizza' });
      expect(gift).toMatchObject({ ephemeral: false, text: `Gift sent\n<@${ann.id}> gave <@${ben.id}> **🪙 30 Coins**.\n> for the pizza` });
      expect([await balanceOf(e2e, guild.id, ann.id), await balanceOf(e2e, guild.id, ben.id)]).toEqual([70n, 30n]);
      const [entry] = await entriesOf(guild.id, 'give');
      expect(entry).toMatchObject({ reason: 'for the pizza', actor: { type: 'user', id: ann.id } });
      expect(entry!.key).toMatch(/^give:\d+$/);
    });

    it('50 concurrent /give of a member’s whole balance: exactly one succeeds', async () => {
      const { guild, members } = await newGuild(e2e, 'race', 4);
      const [giver, ...receivers] = members as [typeof members[0], ...typeof members];
      await fund(e2e, guild.id, giver.id, 500n);
      const handles = Array.from({ length: 50 }, (_, i) => e2e.discord.slash(guild.id, giver.id, 'give', { user: receivers[i % receivers.length]!.id, amount: 500 }));
      const answers = await Promise.all(handles.map((h) => answer(h, 20_000)));
      const sent = answers.filter((a) => a.text.startsWith('Gift sent'));
      expect(sent).toHaveLength(1);
      expect(sent[0]!.ephemeral).toBe(false);
      const refused = answers.filter((a) => !a.text.startsWith('Gift sent'));
      expect(refused).toHaveLength(49);
      for (const a of refused) expect(a).toMatchObject({ ephemeral: true, text: 'You have 🪙 0 Coins, not enough to give 🪙 500 Coins. Nothing was sent.' });

      expect(await balanceOf(e2e, guild.id, giver.id)).toBe(0n);
      const balances = await Promise.all(receivers.map((r) => balanceOf(e2e, guild.id, r.id)));
      expect(balances.reduce((a, b) => a + b, 0n)).toBe(500n);
      expect(await entriesOf(guild.id, 'give')).toHaveLength(1);
      expect((await ledgerOf(e2e).validate(guild.id)).ok).toBe(true);
    });
  });

  describe('/leaderboard', () => {
    it('pages with Previous/Next buttons whose state is in the custom id', async () => {
      const { guild, members } = await newGuild(e2e, 'board', 12);
      // Member i holds 10·i: member 12 is first.
      for (const [i, m] of members.entries()) await fund(e2e, guild.id, m.id, BigInt((i + 1) * 10));
      const viewer = members[0]!;
      const handle = e2e.discord.slash(guild.id, viewer.id, 'leaderboard');
      const page1 = await answer(handle);
      expect(page1.ephemeral).toBe(false);
      const lines = page1.embed!.description!.split('\n');
      expect(lines.slice(0, 10)).toEqual(members.slice(2).reverse().map((m, i) => `**${i + 1}.** <@${m.id}> — 🪙 ${(12 - i) * 10} Coins`));
      expect(lines.at(-1)).toBe('Page 1 of 2 · 12 members');
      expect(page1.buttons).toEqual([
        { customId: 'gf:leaderboard:0', label: 'Previous', disabled: true },
        { customId: 'gf:leaderboard:1', label: 'Next', disabled: false },
      ]);

      const message = page1.messageId!;
      const next = answerOf((await e2e.discord.clickButton(message, 'gf:leaderboard:1', members[5]!.id).waitForResponse()));
      expect(next.embed!.description).toBe(`**11.** <@${members[1]!.id}> — 🪙 20 Coins\n**12.** <@${members[0]!.id}> — 🪙 10 Coins\n\nPage 2 of 2 · 12 members`);
      expect(next.buttons).toEqual([
        { customId: 'gf:leaderboard:0', label: 'Previous', disabled: false },
        { customId: 'gf:leaderboard:2', label: 'Next', disabled: true },
      ]);
      // The message itself changed (an update, not a new message).
      expect(e2e.discord.message(message)!.embeds[0]!.description).toContain('Page 2 of 2');

      const back = answerOf(await e2e.discord.clickButton(message, 'gf:leaderboard:0', viewer.id).waitForResponse());
      expect(back.embed!.description).toBe(page1.embed!.description);
    });
  });

  describe('/transactions', () => {
    it('shows only the member’s own history, ephemeral, paged by entry id', async () => {
      const { guild, members } = await newGuild(e2e, 'history', 2);
      const [kim, lee] = members as [typeof members[0], typeof members[0]];
      for (let i = 1; i <= 11; i += 1) await fund(e2e, guild.id, kim.id, BigInt(i));
      await fund(e2e, guild.id, lee.id, 1000n);
      expect((await slash(guild.id, kim.id, 'give', { user: lee.id, amount: 7, note: 'thanks' })).text).toContain('Gift sent');
      expect((await slash(guild.id, lee.id, 'give', { user: kim.id, amount: 3 })).text).toContain('Gift sent');

      const first = await answer(e2e.discord.slash(guild.id, kim.id, 'transactions'));
      expect(first.ephemeral).toBe(true);
      const lines = first.embed!.description!.split('\n');
      expect(lines).toHaveLength(12); // 10 entries, a blank line, the page
      const line = (text: string) => new RegExp(`^<t:\\d+:d> ${text.replace(/[*+.()]/g, (c) => `\\${c}`)}$`);
      expect(lines[0]).toMatch(line(`**+🪙 3 Coins** · Gift from <@${lee.id}>`));
      expect(lines[1]).toMatch(line(`**−🪙 7 Coins** · Gift to <@${lee.id}> — thanks`));
      expect(lines[2]).toMatch(line('**+🪙 11 Coins** · Reward'));
      expect(lines[9]).toMatch(line('**+🪙 4 Coins** · Reward'));
      expect(lines[11]).toBe('Page 1');
      expect(first.embed!.description).not.toContain('1000'); // lee's own funding is not kim's history
      const [newest, older] = first.buttons;
      expect(newest).toEqual({ customId: 'gf:transactions:1:', label: 'Newest', disabled: true });
      expect(older).toMatchObject({ label: 'Older', disabled: false });
      expect(older!.customId).toMatch(/^gf:transactions:2:\d+$/);

      const message = first.messageId!;
      const second = answerOf(await e2e.discord.clickButton(message, older!.customId, kim.id).waitForResponse());
      expect(second.ephemeral).toBe(true);
      const secondLines = second.embed!.description!.split('\n');
      expect(secondLines.slice(0, 3).map((l) => l.replace(/^<t:\d+:d> /, ''))).toEqual(['**+🪙 3 Coins** · Reward', '**+🪙 2 Coins** · Reward', '**+🪙 1 Coins** · Reward']);
      expect(secondLines.at(-1)).toBe('Page 2');
      expect(second.buttons.map((b) => [b.label, b.disabled])).toEqual([
        ['Newest', false],
        ['Older', true],
      ]);
      const again = answerOf(await e2e.discord.clickButton(message, 'gf:transactions:1:', kim.id).waitForResponse());
      expect(again.embed!.description).toBe(first.embed!.description);
      // Every entry kim touched, exactly once across the pages.
      const all = await ledgerOf(e2e).entries({ guildId: guild.id, account: userAccount(kim.id), limit: 100 });
      expect(all.items).toHaveLength(13);
    });
  });

  describe('/economy add|remove', () => {
    it('members and mods are refused (the command is hidden from them; sent anyway, it changes nothing)', async () => {
      const { guild, member, mod } = e2e.demo;
      for (const [user, level] of [
        [member, 'user'],
        [mod, 'mod'],
      ] as const) {
        const refused = await slash(guild.id, user.id, 'economy', { user: member.id, amount: 50, reason: 'self-service' }, { subcommand: 'add', ignoreCommandPermissions: true });
        expect(refused).toMatchObject({ ephemeral: true, text: `Only a server admin or above can do this (you are ${level}).` });
        const settings = await slash(guild.id, user.id, 'economy', { daily_amount: 1 }, { subcommand: 'settings', ignoreCommandPermissions: true });
        expect(settings.text).toBe(`Only a server admin or above can do this (you are ${level}).`);
      }
      expect(await balanceOf(e2e, guild.id, member.id)).toBe(0n);
      expect(await e2e.prisma.rateLimitHit.count()).toBe(0);
      expect(await e2e.prisma.economySettings.findUnique({ where: { guildId: guild.id } })).toBeNull();
    });

    it('an admin adds and removes with a reason, never below zero; the 6th change in a minute is refused and changes nothing', async () => {
      const { guild, admin, member } = e2e.demo;
      const adjust = (sub: 'add' | 'remove', amount: number, reason = 'event prize') => slash(guild.id, admin.id, 'economy', { user: member.id, amount, reason }, { subcommand: sub });

      const added = await adjust('add', 40);
      expect(added).toMatchObject({ ephemeral: true, text: `Balance increased\nAdded **🪙 40 Coins** to <@${member.id}>.\nNew balance: 🪙 40 Coins\nReason: event prize` });
      expect((await adjust('remove', 41)).text).toBe(`<@${member.id}> has 🪙 40 Coins: removing 🪙 41 Coins would take them below zero. Nothing was changed.`);
      expect((await adjust('add', 0)).text).toBe('The amount must be a positive number (use /economy remove to take some away).');
      expect((await adjust('remove', -3)).text).toBe('The amount must be a positive number.');
      expect((await slash(guild.id, admin.id, 'economy', { user: e2e.discord.botUser.id, amount: 5, reason: 'x' }, { subcommand: 'add' })).text).toBe(
        'Bots do not have balances; choose a member.',
      );
      expect((await adjust('remove', 15, 'typo')).text).toContain('Removed **🪙 15 Coins** from');
      for (let i = 0; i < 3; i += 1) expect((await adjust('add', 1)).text).toContain('Balance increased');
      expect(await balanceOf(e2e, guild.id, member.id)).toBe(28n);

      const sixth = await adjust('add', 1000);
      expect(sixth.ephemeral).toBe(true);
      expect(sixth.text).toMatch(/^You can make at most 5 balance changes per minute\. Try again in ([1-5]?[0-9]|60) s\. Nothing was changed\.$/);
      expect(await balanceOf(e2e, guild.id, member.id)).toBe(28n);
      const adjustments = await entriesOf(guild.id, 'admin_adjust');
      expect(adjustments).toHaveLength(5);
      expect(adjustments.every((e) => e.actor.type === 'user' && e.actor.id === admin.id)).toBe(true);
      expect(adjustments.map((e) => e.reason)).toEqual(['event prize', 'event prize', 'event prize', 'typo', 'event prize']);
      expect(await e2e.prisma.rateLimitHit.count({ where: { key: `economy.adjust:${guild.id}:discord:${admin.id}` } })).toBe(5);
    });
  });
});
