import { startE2E, type E2E } from '../e2e/harness';
import { answer, api, apiToken, balanceOf, ledgerOf, newGuild } from './helpers';

/** The economy API (settings, adjustments) over HTTP against the running stack, and its rate limit shared with the bot. */
describe('economy API', () => {
  let e2e: E2E;
  let guildId: string;
  const tokens: Record<'user' | 'mod' | 'admin', string> = { user: '', mod: '', admin: '' };
  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
    for (const level of ['user', 'mod', 'admin'] as const) tokens[level] = await apiToken(e2e, guildId, level);
  });
  afterAll(() => e2e?.close());

  const settingsPath = () => `/api/guilds/${guildId}/economy/settings`;
  const adjustPath = () => `/api/guilds/${guildId}/economy/adjustments`;
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: unknown } }).error;

  describe('settings', () => {
    it('401 without a valid token, 403 for a user token or another guild’s token; mods read the defaults', async () => {
      expect((await api(e2e, null, 'GET', settingsPath())).status).toBe(401);
      expect((await api(e2e, 'gf_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'GET', settingsPath())).status).toBe(401);
      const asUser = await api(e2e, tokens.user, 'GET', settingsPath());
      expect(asUser.status).toBe(403);
      expect((await errorOf(asUser)).message).toBe('This needs a mod token; this token is user.');
      const other = await newGuild(e2e, 'other', 0);
      expect((await api(e2e, await apiToken(e2e, other.guild.id, 'owner'), 'GET', settingsPath())).status).toBe(403);

      const read = await api(e2e, tokens.mod, 'GET', settingsPath());
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual({
        guildId,
        dailyAmount: '100',
        dailyCooldownSeconds: 86400,
        dailyStreakBonus: '10',
        dailyStreakMax: 7,
        dailyStreakGraceSeconds: 86400,
        adminAdjustLimitPerMinute: 5,
        currency: { name: 'Coins', emoji: '🪙' },
      });
    });

    it('PATCH: admins only, every bad body a 400 that changes nothing, a good one audited and seen in /daily', async () => {
      expect((await api(e2e, tokens.mod, 'PATCH', settingsPath(), { dailyAmount: '5' })).status).toBe(403);
      const bad: [unknown, string][] = [
        [{}, 'Give at least one setting to change.'],
        [{ dailyCooldownSeconds: 0 }, 'The daily cooldown must be a whole number from 1 to 31,536,000 seconds.'],
        [{ dailyAmount: '-1' }, 'The daily amount cannot be negative.'],
        [{ dailyAmount: 'lots' }, 'dailyAmount'],
        [{ dailyStreakMax: 'seven' }, 'dailyStreakMax'],
        [{ currencyName: '' }, 'The currency name cannot be empty.'],
        [{ bogus: true }, 'bogus'],
      ];
      for (const [body, message] of bad) {
        const res = await api(e2e, tokens.admin, 'PATCH', settingsPath(), body);
        expect([res.status, JSON.stringify(body)]).toEqual([400, JSON.stringify(body)]);
        const error = await errorOf(res);
        expect(error.code).toBe('invalid_input');
        expect(error.message).toContain(message);
      }
      const notJson = await fetch(`${e2e.apiUrl}${settingsPath()}`, { method: 'PATCH', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, body: '{' });
      expect(notJson.status).toBe(400);
      expect(await e2e.prisma.economySettings.findUnique({ where: { guildId } })).toBeNull();

      const ok = await api(e2e, tokens.admin, 'PATCH', settingsPath(), { dailyAmount: '300', dailyCooldownSeconds: 2, currencyName: 'Shells', currencyEmoji: '🐚' });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ dailyAmount: '300', dailyCooldownSeconds: 2, dailyStreakBonus: '10', currency: { name: 'Shells', emoji: '🐚' } });
      const audit = await e2e.prisma.auditEvent.findFirstOrThrow({ where: { guildId, action: 'economy_settings.updated' } });
      expect([audit.actorType, audit.actorId]).toEqual(['api_token', `token:${tokens.admin.split('_')[1]}`]);

      const daily = await answer(e2e.discord.slash(guildId, e2e.demo.member.id, 'daily'));
      expect(daily.text).toContain('You received **🐚 300 Shells**.');
      expect(daily.text).toMatch(/Next claim <t:\d+:R>/);
      const again = await answer(e2e.discord.slash(guildId, e2e.demo.member.id, 'daily'));
      expect(again.text).toMatch(/Come back in [12]s/);
    });
  });

  describe('adjustments', () => {
    it('400 for bad bodies, 401/403 without an admin token; adds, replays an idempotency key once, never removes below zero', async () => {
      const { mod } = e2e.demo;
      const userId = mod.id;
      expect((await api(e2e, null, 'POST', adjustPath(), { userId, amount: '5', reason: 'x' })).status).toBe(401);
      expect((await api(e2e, tokens.mod, 'POST', adjustPath(), { userId, amount: '5', reason: 'x' })).status).toBe(403);
      const bad: [unknown, string][] = [
        [{ userId, amount: '0', reason: 'x' }, 'amount: must not be 0'],
        [{ userId, amount: '1.5', reason: 'x' }, 'amount'],
        [{ userId, amount: 1.5, reason: 'x' }, 'amount'],
        [{ userId, amount: '5' }, 'reason'],
        [{ userId, amount: '5', reason: '   ' }, 'reason: is required'],
        [{ userId: 'me', amount: '5', reason: 'x' }, 'userId: must be a Discord id'],
        [{ userId, amount: '5', reason: 'x', idempotencyKey: 'has spaces' }, 'idempotencyKey'],
        [{ userId, amount: '5', reason: 'x', extra: 1 }, 'extra'],
      ];
      for (const [body, message] of bad) {
        const res = await api(e2e, tokens.admin, 'POST', adjustPath(), body);
        expect([res.status, JSON.stringify(body)]).toEqual([400, JSON.stringify(body)]);
        expect((await errorOf(res)).message).toContain(message);
      }
      expect(await balanceOf(e2e, guildId, userId)).toBe(0n);

      // Another operator token: it shares the operator's budget, which the admin's limit test below does not use.
      const token = await apiToken(e2e, guildId, 'admin');
      const body = { userId, amount: '75', reason: 'tournament win', idempotencyKey: 'tournament-2026-11' };
      const created = await api(e2e, token, 'POST', adjustPath(), body);
      expect(created.status).toBe(201);
      const first = (await created.json()) as { replayed: boolean; balance: string; entry: { id: string; type: string; reason: string; actor: unknown } };
      expect(first).toMatchObject({ replayed: false, balance: '75', entry: { type: 'admin_adjust', reason: 'tournament win', actor: { type: 'api_token', id: token.split('_')[1] } } });
      const replay = await api(e2e, token, 'POST', adjustPath(), body);
      expect(replay.status).toBe(200);
      expect(await replay.json()).toMatchObject({ replayed: true, balance: '75', entry: { id: first.entry.id } });
      expect(await balanceOf(e2e, guildId, userId)).toBe(75n);

      const tooMuch = await api(e2e, token, 'POST', adjustPath(), { userId, amount: '-76', reason: 'oops' });
      expect(tooMuch.status).toBe(409);
      expect((await errorOf(tooMuch)).message).toContain('would take them below zero. Nothing was changed.');
      const removed = await api(e2e, token, 'POST', adjustPath(), { userId, amount: '-25', reason: 'correction' });
      expect(removed.status).toBe(201);
      expect(await balanceOf(e2e, guildId, userId)).toBe(50n);
      // The shown currency is the guild's (renamed above).
      expect(await removed.json()).toMatchObject({ balance: '50', currency: { name: 'Shells' } });
    });

    it('one admin’s limit is shared by /economy and the API (a token they minted in Discord): the 6th change is refused everywhere', async () => {
      const { admin, member } = e2e.demo;
      const adminsToken = await apiToken(e2e, guildId, 'admin', `discord:${admin.id}`);
      const before = await balanceOf(e2e, guildId, member.id);
      const viaBot = () => answer(e2e.discord.slash(guildId, admin.id, 'economy', { user: member.id, amount: 10, reason: 'bot' }, { subcommand: 'add' }));
      const viaApi = () => api(e2e, adminsToken, 'POST', adjustPath(), { userId: member.id, amount: '10', reason: 'api' });

      for (let i = 0; i < 3; i += 1) expect((await viaBot()).text).toContain('Balance increased');
      expect((await viaApi()).status).toBe(201);
      expect((await viaApi()).status).toBe(201);
      const refusedApi = await viaApi();
      expect(refusedApi.status).toBe(429);
      const retryAfter = Number(refusedApi.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await errorOf(refusedApi)).toEqual({
        code: 'rate_limited',
        message: `You can make at most 5 balance changes per minute. Try again in ${retryAfter} s. Nothing was changed.`,
        details: { limit: 5, retryAfterSeconds: retryAfter },
      });
      expect((await viaBot()).text).toMatch(/^You can make at most 5 balance changes per minute\. Try again in \d+ s\. Nothing was changed\.$/);

      expect(await balanceOf(e2e, guildId, member.id)).toBe(before + 50n);
      const entries = (await ledgerOf(e2e).entries({ guildId, type: 'admin_adjust', limit: 100 })).items.filter((e) => e.reason === 'bot' || e.reason === 'api');
      expect(entries.map((e) => e.reason).sort()).toEqual(['api', 'api', 'bot', 'bot', 'bot']);

      // Another admin (the owner) is not held back by it.
      const owner = await answer(e2e.discord.slash(guildId, e2e.demo.owner.id, 'economy', { user: member.id, amount: 1, reason: 'owner' }, { subcommand: 'add' }));
      expect(owner.text).toContain('Balance increased');
    });
  });
});
