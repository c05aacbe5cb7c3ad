import { startE2E, type E2E } from '../e2e/harness';

/** /stock through the fake Discord and the real bot: import reports, counts only, admins only. */
describe('/stock', () => {
  let e2e: E2E;
  let guildId: string;
  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id], adminLogChannelId: e2e.demo.channels.adminLog.id } });
  });
  afterAll(() => e2e?.close());

  const run = async (userId: string, sub: string, options: Record<string, unknown> = {}) => {
    const h = e2e.discord.slash(guildId, userId, 'stock', options, { subcommand: sub });
    const first = await h.waitForResponse();
    const final = first.type === 5 ? await e2e.discord.waitFor(() => (h.original()?.embeds.length ? h.original() : undefined), 5000, 'the edited reply') : h.original();
    return { first, embed: final?.embeds[0], content: (first.data as { content?: string }).content };
  };

  it('adds codes from text with an added/duplicate/invalid report; view shows counts, never codes', async () => {
    const admin = e2e.demo.admin.id;
    const added = await run(admin, 'add', { codes: 'RDF-AAAA-0001\nRDF-AAAA-0002 RDF-AAAA-0002\nab\nRDF-AAAA-0003' });
    expect(added.first).toMatchObject({ type: 5, ephemeral: true });
    expect(added.embed?.title).toBe('Codes imported');
    expect(added.embed?.description).toBe(['**Added:** 3', '**Duplicates (skipped):** 1', '**Invalid (skipped):** 1', 'line 4: too short (at least 4 characters)', '**Available now:** 3'].join('\n'));
    const again = await run(admin, 'add', { codes: 'RDF-AAAA-0001' });
    expect(again.embed?.description).toContain('**Added:** 0\n**Duplicates (skipped):** 1');

    const view = await run(admin, 'view');
    expect(view.embed?.title).toBe('Code stock');
    expect(view.embed?.description).toContain('**Available:** 3\n**Reserved by orders:** 0\n**Delivered:** 0');
    expect(view.embed?.description).toContain('5 codes — 🪙 50,000 Coins');
    expect(JSON.stringify(view.embed)).not.toContain('RDF-AAAA');
    expect(await e2e.prisma.code.count({ where: { guildId } })).toBe(3);
  });

  it('sets a package price; a member cannot use /stock and nothing changes', async () => {
    const set = await run(e2e.demo.admin.id, 'package', { codes: 10, price: 90000 });
    expect(set.embed?.description).toBe('10 codes for 🪙 90,000 Coins.');
    const before = await e2e.prisma.code.count({ where: { guildId } });
    const h = e2e.discord.slash(guildId, e2e.demo.member.id, 'stock', { codes: 'RDF-MEMBER-0001' }, { subcommand: 'add', ignoreCommandPermissions: true });
    const r = await h.waitForResponse();
    expect(r.ephemeral).toBe(true);
    expect((r.data as { content?: string }).content).toMatch(/admin/i);
    expect(await e2e.prisma.code.count({ where: { guildId } })).toBe(before);
  });

  it('settings: low-stock threshold and order timings, validated and audited', async () => {
    const r = await run(e2e.demo.admin.id, 'settings', { low_stock: 3, topup_wait_minutes: 30, delivery_timeout_hours: 12 });
    expect(r.embed?.description).toBe([
        '**Low-stock alert at:** 3',
        '**Orders wait for a top-up:** 30 minutes',
        '**Delivery retried for:** 12 hours',
        '**Orders per member per hour:** unlimited',
        '**Top-ups per member per hour:** unlimited',
        '**Codes sent again per member per day:** 3',
      ].join('\n'));
    expect(await e2e.prisma.codeShopSettings.findUniqueOrThrow({ where: { guildId } })).toMatchObject({ lowStockThreshold: 3, topupWaitSeconds: 1800, deliveryTimeoutSeconds: 43_200 });
    const bad = await run(e2e.demo.admin.id, 'settings', { topup_wait_minutes: 0 });
    expect(bad.content).toBe('topup_wait_minutes must be from 1 to 1440.');
    expect((await e2e.prisma.codeShopSettings.findUniqueOrThrow({ where: { guildId } })).topupWaitSeconds).toBe(1800);
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'code_shop_settings.updated' } })).toBe(1);
  });
});
