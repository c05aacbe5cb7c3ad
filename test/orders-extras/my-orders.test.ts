import { codesForDelivery, importCodes } from '../../activities/codes/stock';
import { createCodeKeyring } from '../../lib/crypto/codes';
import { CODE_ENCRYPTION_KEY, startE2E, type E2E } from '../e2e/harness';
import { buttons, finalAnswer, fundedMember, orderAndConfirm } from './helpers';

/**
 * /myorders as members use it: only the caller's own orders, paged (a page button is data: whoever clicks
 * sees their own orders), and a completed order's codes again by DM — the same codes, only to the buyer,
 * within the daily cap (also for two requests at once), audited without the codes.
 */
describe('/myorders list and redeliver', () => {
  let e2e: E2E;
  let guildId: string;
  const keyring = createCodeKeyring({ id: 'e2e', key: Buffer.from(CODE_ENCRYPTION_KEY, 'base64') });
  let buyer: string;
  let other: string;
  let completedId: string;
  let originalCodes: string[];
  const fillerIds: string[] = [];

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await importCodes(e2e.prisma, keyring, guildId, ['MINE-CODE-0001', 'MINE-CODE-0002', 'MINE-CODE-0003', 'MINE-CODE-0004', 'MINE-CODE-0005', 'MINE-CODE-0006'].join('\n'));
    buyer = await fundedMember(e2e, 'mine-buyer', 100_000n);
    other = await fundedMember(e2e, 'mine-other', 100_000n);
    const done = await orderAndConfirm(e2e, buyer, 5);
    expect(done.result.status).toBe('completed');
    completedId = done.orderId;
    originalCodes = await codesForDelivery(e2e.prisma, keyring, completedId);
    expect(originalCodes).toHaveLength(5);
    // Older orders of both members, straight in the table (listing needs no flow).
    const pkg = await e2e.prisma.codePackage.findFirstOrThrow({ where: { guildId, quantity: 1 } });
    for (let i = 0; i < 6; i += 1) {
      for (const [userId, tag] of [[buyer, 'b'], [other, 'o']] as const) {
        const id = `mine-${tag}-${i}`;
        if (userId === buyer) fillerIds.push(id);
        await e2e.prisma.codeOrder.create({
          data: { id, requestKey: `t:${id}`, guildId, userId, packageId: pkg.id, quantity: 1, price: pkg.price, assetCode: 'currency', status: i === 0 ? 'pending' : 'failed', createdAt: new Date(Date.now() - (i + 1) * 3_600_000) },
        });
      }
    }
  });
  afterAll(() => e2e?.close());

  const idsIn = (text: string | undefined) => [...(text ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);

  it('lists only the caller’s orders, newest first, five per page; Next shows the rest', async () => {
    const list = e2e.discord.slash(guildId, buyer, 'myorders', {}, { subcommand: 'list' });
    const first = await list.waitForResponse();
    expect(first.ephemeral).toBe(true);
    const page1 = list.original()!;
    expect(page1.embeds[0]?.title).toBe('Your orders (7)');
    expect(idsIn(page1.embeds[0]?.description)).toEqual([completedId, 'mine-b-0', 'mine-b-1', 'mine-b-2', 'mine-b-3']);
    expect(page1.embeds[0]?.description).toMatch(new RegExp(`\`${completedId}\` · 5 codes · .* · \\*\\*completed\\*\\* · <t:\\d+:f>`));
    expect(buttons(page1).map((b) => b.label)).toEqual(['Previous', 'Next', `Send ${completedId.slice(-6)} again`]);

    const next = e2e.discord.clickButton(page1, buttons(page1).find((b) => b.label === 'Next')!.custom_id, buyer);
    await next.waitForResponse();
    const page2 = await e2e.discord.waitFor(() => (e2e.discord.message(page1.id)?.embeds[0]?.fields?.[0]?.value === '2 / 2' ? e2e.discord.message(page1.id) : undefined), 5000, 'page 2');
    expect(idsIn(page2.embeds[0]?.description)).toEqual(['mine-b-4', 'mine-b-5']);

    const byOption = e2e.discord.slash(guildId, buyer, 'myorders', { page: 2 }, { subcommand: 'list' });
    await byOption.waitForResponse();
    expect(idsIn(byOption.original()?.embeds[0]?.description)).toEqual(['mine-b-4', 'mine-b-5']);
  });

  it('a page button clicked by another member shows that member’s own orders, never the buyer’s', async () => {
    const list = e2e.discord.slash(guildId, buyer, 'myorders', {}, { subcommand: 'list' });
    await list.waitForResponse();
    const msg = list.original()!;
    const click = e2e.discord.clickButton(msg, buttons(msg).find((b) => b.label === 'Next')!.custom_id, other);
    await click.waitForResponse();
    const shown = await e2e.discord.waitFor(() => (e2e.discord.message(msg.id)?.embeds[0]?.title === 'Your orders (6)' ? e2e.discord.message(msg.id) : undefined), 5000, 'the other member’s page');
    const ids = idsIn(shown.embeds[0]?.description);
    expect(ids).toEqual(['mine-o-5']);
    expect(ids.some((id) => id === completedId || fillerIds.includes(id!))).toBe(false);
  });

  it('sends the same codes again by DM to the buyer only; another member’s click is refused and sends nothing', async () => {
    const list = e2e.discord.slash(guildId, buyer, 'myorders', {}, { subcommand: 'list' });
    await list.waitForResponse();
    const msg = list.original()!;
    const again = buttons(msg).find((b) => b.label?.startsWith('Send '))!;
    expect(again.custom_id).toBe(`gf:order-redeliver:${completedId}`);

    const dmsBefore = { buyer: e2e.discord.dms(buyer).length, other: e2e.discord.dms(other).length };
    const stranger = e2e.discord.clickButton(msg, again.custom_id, other);
    expect(await finalAnswer(e2e, stranger, 'the refusal')).toEqual({ ok: false, text: 'Only the member who bought an order can have its codes sent again.' });
    expect({ buyer: e2e.discord.dms(buyer).length, other: e2e.discord.dms(other).length }).toEqual(dmsBefore);
    expect(await e2e.prisma.codeOrderRedelivery.count({ where: { orderId: completedId } })).toBe(0);

    const click = e2e.discord.clickButton(msg, again.custom_id, buyer);
    const answer = await finalAnswer(e2e, click, 'the re-delivery');
    expect(answer.ok).toBe(true);
    expect(answer.text).toContain('You can ask 2 more times');
    const dms = e2e.discord.dms(buyer);
    expect(dms).toHaveLength(dmsBefore.buyer + 1);
    const sent = /```\n([\s\S]*)\n```/.exec(dms.at(-1)!.embeds[0]!.description!)![1]!.split('\n');
    expect(sent).toEqual(originalCodes);
    // The same as the first delivery's DM.
    expect(dms.at(-1)!.embeds[0]!.description).toBe(dms.find((m) => m.embeds[0]?.title === 'Your 5 codes')!.embeds[0]!.description);
    expect(e2e.discord.dms(other)).toHaveLength(dmsBefore.other);
  });

  it('refuses an order that is not completed, or not the caller’s, by id', async () => {
    const pending = e2e.discord.slash(guildId, buyer, 'myorders', { id: 'mine-b-0' }, { subcommand: 'redeliver' });
    expect(await finalAnswer(e2e, pending, 'the refusal')).toEqual({ ok: false, text: 'Order mine-b-0 is pending: only a completed order’s codes can be sent again.' });
    const notMine = e2e.discord.slash(guildId, other, 'myorders', { id: completedId }, { subcommand: 'redeliver' });
    expect((await finalAnswer(e2e, notMine, 'the refusal')).ok).toBe(false);
    expect(await e2e.prisma.codeOrderRedelivery.count({ where: { userId: other } })).toBe(0);
  });

  it('DMs closed: a clear message, and the request is not counted', async () => {
    const before = await e2e.prisma.codeOrderRedelivery.count({ where: { userId: buyer } });
    e2e.discord.setDmsClosed(buyer, true);
    try {
      const h = e2e.discord.slash(guildId, buyer, 'myorders', { id: completedId }, { subcommand: 'redeliver' });
      const answer = await finalAnswer(e2e, h, 'the refusal');
      expect(answer).toEqual({ ok: false, text: expect.stringMatching(/direct messages are closed.*not counted/) });
    } finally {
      e2e.discord.setDmsClosed(buyer, false);
    }
    expect(await e2e.prisma.codeOrderRedelivery.count({ where: { userId: buyer } })).toBe(before);
  });

  it('holds the daily cap, also for two requests at once at the cap; each sent one is audited without codes', async () => {
    // One used above; the cap is 3: one more alone, then two at once for the last place.
    const one = e2e.discord.slash(guildId, buyer, 'myorders', { id: completedId }, { subcommand: 'redeliver' });
    expect((await finalAnswer(e2e, one, 'the second re-delivery')).text).toContain('You can ask 1 more time');
    expect(await e2e.prisma.codeOrderRedelivery.count({ where: { guildId, userId: buyer } })).toBe(2);
    const dmsBefore = e2e.discord.dms(buyer).length;
    const a = e2e.discord.slash(guildId, buyer, 'myorders', { id: completedId }, { subcommand: 'redeliver' });
    const b = e2e.discord.slash(guildId, buyer, 'myorders', { id: completedId }, { subcommand: 'redeliver' });
    const answers = await Promise.all([finalAnswer(e2e, a, 'a'), finalAnswer(e2e, b, 'b')]);
    expect(answers.filter((x) => x.ok)).toHaveLength(1);
    expect(answers.find((x) => !x.ok)?.text).toMatch(/^You can have codes sent again 3 times per day; try again in \d+ minutes?\.$/);
    expect(e2e.discord.dms(buyer)).toHaveLength(dmsBefore + 1);

    const late = e2e.discord.slash(guildId, buyer, 'myorders', { id: completedId }, { subcommand: 'redeliver' });
    expect((await finalAnswer(e2e, late, 'the refusal')).ok).toBe(false);
    expect(e2e.discord.dms(buyer)).toHaveLength(dmsBefore + 1);
    expect(await e2e.prisma.codeOrderRedelivery.count({ where: { guildId, userId: buyer } })).toBe(3);

    const audits = await e2e.prisma.auditEvent.findMany({ where: { guildId, action: 'order.redelivered' } });
    expect(audits).toHaveLength(3);
    for (const audit of audits) {
      expect(audit).toMatchObject({ actorType: 'user', actorId: `discord:${buyer}`, targetType: 'code_order', targetId: completedId, data: { codes: 5 } });
      for (const code of originalCodes) expect(JSON.stringify(audit.data)).not.toContain(code);
    }
  });
});
