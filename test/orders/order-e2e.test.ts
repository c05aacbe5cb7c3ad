import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord.js';
import { codesForDelivery, importCodes } from '../../activities/codes/stock';
import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import { createCodeKeyring } from '../../lib/crypto/codes';
import { waitFor } from '../../lib/wait';
import { orderStatusQuery, type OrderState } from '../../lib/flows/orders';
import type { order } from '../../workflows/order';
import { CODE_ENCRYPTION_KEY, startE2E, type E2E } from '../e2e/harness';
import type { MessageRecord } from '../fakes/discord';

/** /order → Confirm as a member does it: the codes in the DM, or — DMs closed — an ephemeral follow-up. */
describe('/order end to end', () => {
  let e2e: E2E;
  let guildId: string;
  const keyring = createCodeKeyring({ id: 'e2e', key: Buffer.from(CODE_ENCRYPTION_KEY, 'base64') });
  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminLogChannelId: e2e.demo.channels.adminLog.id } });
    await importCodes(e2e.prisma, keyring, guildId, ['E2E-CODE-0001', 'E2E-CODE-0002', 'E2E-CODE-0003'].join('\n'));
  });
  afterAll(() => e2e?.close());

  const ledger = () => createLedger(e2e.prisma);
  async function member(name: string, funds: bigint): Promise<string> {
    const u = e2e.discord.createUser({ username: name });
    e2e.discord.addMember(guildId, u.id);
    await ledger().transfer({ guildId, key: `fund:${u.id}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(u.id), amount: funds });
    return u.id;
  }
  const buttons = (m: MessageRecord | undefined) => (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);

  async function orderAndConfirm(userId: string, size: number) {
    const slash = e2e.discord.slash(guildId, userId, 'order', { package: size });
    await slash.waitForResponse();
    const confirm = buttons(slash.original()).find((b) => b.label === 'Confirm')!;
    const click = e2e.discord.clickButton(slash.original()!, confirm.custom_id, userId);
    expect((await click.waitForResponse()).type).toBe(6);
    const orderId = slash.id;
    await e2e.waitForWorkflow(`order:${orderId}`, 'COMPLETED');
    return { slash, click, orderId, result: await e2e.workflowResult<OrderState>(`order:${orderId}`) };
  }

  it('happy path: confirm, the code arrives by DM, the confirm message shows the receipt, the balance is charged', async () => {
    const user = await member('e2e-buyer', 15_000n);
    const { slash, orderId, result } = await orderAndConfirm(user, 1);
    expect(result).toMatchObject({ status: 'completed', deliveredVia: 'dm' });
    const [code] = await codesForDelivery(e2e.prisma, keyring, orderId);
    const dm = e2e.discord.dms(user).find((m) => m.embeds[0]?.title === 'Your 1 code')!;
    expect(dm.embeds[0]?.description).toContain(code!);
    const shown = await e2e.discord.waitFor(() => (slash.original()?.embeds[0]?.title === 'Order complete' ? slash.original() : undefined), 5000, 'the receipt');
    expect(shown.embeds[0]?.description).toContain('for **🪙 10,000 Coins**');
    expect(buttons(shown)).toEqual([]);
    expect((await ledger().balance(guildId, userAccount(user), 'currency')).balance).toBe(5_000n);
  });

  it('DMs closed: the codes come as an ephemeral follow-up to the member instead, and the order completes', async () => {
    const user = await member('e2e-closed', 10_000n);
    e2e.discord.setDmsClosed(user, true);
    const { click, orderId, result } = await orderAndConfirm(user, 1);
    expect(result).toMatchObject({ status: 'completed', deliveredVia: 'followup' });
    const [code] = await codesForDelivery(e2e.prisma, keyring, orderId);
    const followUp = click.followUps().find((m) => m.embeds[0]?.title === 'Your 1 code')!;
    expect(followUp.ephemeral).toBe(true);
    expect(followUp.embeds[0]?.description).toContain(code!);
    expect(e2e.discord.dms(user)).toEqual([]);
    // Nobody else sees it.
    expect(e2e.discord.messages(e2e.demo.channels.general).some((m) => !m.ephemeral && JSON.stringify(m.embeds).includes(code!))).toBe(false);
    expect((await ledger().balance(guildId, userAccount(user), 'currency')).balance).toBe(0n);
    expect(await e2e.prisma.codeOrder.findUniqueOrThrow({ where: { id: orderId } })).toMatchObject({ status: 'completed', deliveredVia: 'followup' });
  });

  it('/orders view lists a needs-admin order; /orders process refund signals it; a member cannot', async () => {
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
    const user = await member('e2e-stuck', 10_000n);
    await importCodes(e2e.prisma, keyring, guildId, 'E2E-CODE-0099');
    e2e.discord.setDmsClosed(user, true);
    const pkg = (await e2e.prisma.codePackage.findFirstOrThrow({ where: { guildId, quantity: 1 } }));
    const orderId = '900000000000000777';
    const h = await e2e.temporal.workflow.start<typeof order>('order', {
      taskQueue: e2e.taskQueue,
      workflowId: `order:${orderId}`,
      args: [{ orderId, requestKey: `t:${orderId}`, guildId, userId: user, packageId: pkg.id, reply: null, topupWaitSeconds: 10, fundsRetrySeconds: 5, deliveryTimeoutSeconds: 1, deliveryRetrySeconds: 1 }],
    });
    await waitFor(async () => (await e2e.prisma.codeOrder.findUnique({ where: { id: orderId } }))?.status === 'needs_admin', { timeoutMs: 15_000, what: 'needs admin' });

    const view = e2e.discord.slash(guildId, e2e.demo.admin.id, 'orders', { status: 'needs_admin' }, { subcommand: 'view' });
    await view.waitForResponse();
    expect(view.original()?.embeds[0]?.title).toBe('Orders (1)');
    expect(view.original()?.embeds[0]?.description).toContain(`\`${orderId}\` · <@${user}> · 1 code`);

    const refused = e2e.discord.slash(guildId, user, 'orders', { id: orderId, action: 'refund' }, { subcommand: 'process', ignoreCommandPermissions: true });
    expect(((await refused.waitForResponse()).data as { content?: string }).content).toMatch(/admin/i);
    expect((await h.query(orderStatusQuery)).status).toBe('needs_admin');

    const process = e2e.discord.slash(guildId, e2e.demo.admin.id, 'orders', { id: orderId, action: 'refund' }, { subcommand: 'process' });
    await process.waitForResponse();
    expect(process.original()?.embeds[0]?.title).toBe(`Order ${orderId}: refund`);
    expect(await h.result()).toMatchObject({ status: 'refunded' });
    expect((await ledger().balance(guildId, userAccount(user), 'currency')).balance).toBe(10_000n);
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'code_order.refund', targetId: orderId } })).toBe(1);
  });

  it('short balance: the confirm message offers Top up; paying that top-up wakes the order, which completes', async () => {
    const user = await member('e2e-short', 3_000n);
    await importCodes(e2e.prisma, keyring, guildId, 'E2E-CODE-0200');
    const slash = e2e.discord.slash(guildId, user, 'order', { package: 1 });
    await slash.waitForResponse();
    const confirm = buttons(slash.original()).find((b) => b.label === 'Confirm')!;
    const click = e2e.discord.clickButton(slash.original()!, confirm.custom_id, user);
    await click.waitForResponse();
    const waiting = await e2e.discord.waitFor(() => (slash.original()?.embeds[0]?.title === 'Not enough balance for 1 code' ? slash.original() : undefined), 10_000, 'the top-up offer');
    expect(waiting.embeds[0]?.description).toContain('you have **🪙 3,000 Coins** available');
    const topupButton = buttons(waiting).find((b) => b.label === 'Top up')!;
    expect(topupButton.custom_id).toBe(`gf:order-topup:${slash.id}`);

    const topupClick = e2e.discord.clickButton(waiting, topupButton.custom_id, user);
    expect(await topupClick.waitForResponse()).toMatchObject({ type: 5, ephemeral: true });
    const paymentId = `tp-${topupClick.id}`;
    const qr = await e2e.discord.waitFor(() => (topupClick.original()?.attachments.length ? topupClick.original() : undefined), 10_000, 'the QR code');
    expect(qr.embeds[0]?.title).toBe('Top up Rp 10,000'); // the 7,000 missing, raised to the minimum top-up
    await e2e.midtrans.pay(paymentId);
    await e2e.waitForWorkflow(`order:${slash.id}`, 'COMPLETED', 40_000);
    // Woken by the top-up's signal, not the 30-second retry: read from the order's history, not the clock.
    const events = (await e2e.temporal.workflow.getHandle(`order:${slash.id}`).fetchHistory()).events ?? [];
    expect(events.flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? [])).toEqual(['fundsAdded']);
    expect(events.filter((e) => e.timerFiredEventAttributes)).toEqual([]);
    expect(await e2e.workflowResult<OrderState>(`order:${slash.id}`)).toMatchObject({ status: 'completed' });
    expect((await ledger().balance(guildId, userAccount(user), 'currency')).balance).toBe(3_000n);
    const [code] = await codesForDelivery(e2e.prisma, keyring, slash.id);
    expect(e2e.discord.dms(user).some((m) => m.embeds[0]?.description?.includes(code!))).toBe(true);
  });

  it('the shop panel: Order codes → package menu → Confirm; Balance; Top up → amount form → QR', async () => {
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
    await importCodes(e2e.prisma, keyring, guildId, 'E2E-CODE-0300');
    const post = e2e.discord.slash(guildId, e2e.demo.admin.id, 'setup', {}, { subcommand: 'shop-panel' });
    expect((await post.waitForResponse()).ephemeral).toBe(true);
    const panel = await e2e.discord.waitFor(() => e2e.discord.messages(e2e.demo.channels.general).find((m) => m.embeds[0]?.title === 'Code shop'), 5000, 'the panel');
    expect(panel.ephemeral).toBe(false);
    expect(buttons(panel).map((b) => b.label)).toEqual(['Order codes', 'Top up', 'Balance']);

    const user = await member('e2e-panel', 10_000n);
    const bal = e2e.discord.clickButton(panel, buttons(panel)[2]!.custom_id, user);
    await bal.waitForResponse();
    expect(bal.original()?.embeds[0]?.description).toContain('🪙 10,000 Coins');

    const open = e2e.discord.clickButton(panel, buttons(panel)[0]!.custom_id, user);
    await open.waitForResponse();
    const menu = open.original()!;
    const select = (menu.components[0] as { components: { custom_id: string; options: { label: string; value: string }[] }[] }).components[0]!;
    const one = select.options.find((o) => o.label === '1 code')!;
    const pick = e2e.discord.selectMenu(menu, select.custom_id, user, [one.value]);
    await pick.waitForResponse();
    const confirmMsg = await e2e.discord.waitFor(() => (e2e.discord.message(menu.id)?.embeds[0]?.title === 'Order 1 code?' ? e2e.discord.message(menu.id) : undefined), 5000, 'the confirm message');
    const confirm = buttons(confirmMsg).find((b) => b.label === 'Confirm')!;
    const click = e2e.discord.clickButton(confirmMsg, confirm.custom_id, user);
    await click.waitForResponse();
    await e2e.waitForWorkflow(`order:${pick.id}`, 'COMPLETED');
    expect(await e2e.workflowResult<OrderState>(`order:${pick.id}`)).toMatchObject({ status: 'completed' });

    const topupClick = e2e.discord.clickButton(panel, buttons(panel)[1]!.custom_id, user);
    await topupClick.waitForResponse();
    expect(topupClick.modal()).toBeDefined();
    const submit = e2e.discord.submitModal(topupClick, 'gf:panel-topup-modal:', user, { amount: '20,000' });
    expect(await submit.waitForResponse()).toMatchObject({ type: 5, ephemeral: true });
    const qr = await e2e.discord.waitFor(() => (submit.original()?.attachments.length ? submit.original() : undefined), 10_000, 'the QR code');
    expect(qr.embeds[0]?.title).toBe('Top up Rp 20,000');
  });

  it('/botstats shows the completed orders, revenue, top-ups and the stock (admins)', async () => {
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
    const completed = await e2e.prisma.codeOrder.findMany({ where: { guildId, status: 'completed' } });
    const settled = await e2e.prisma.payment.findMany({ where: { guildId, status: 'settled' } });
    expect(completed.length).toBeGreaterThan(0);
    const h = e2e.discord.slash(guildId, e2e.demo.admin.id, 'botstats', { days: 2 });
    await h.waitForResponse();
    const embed = h.original()!.embeds[0]!;
    expect(embed.title).toBe('Code shop, last 2 days');
    const revenue = completed.reduce((a, o) => a + o.price, 0n);
    expect(embed.fields).toEqual([
      { name: 'Orders', value: String(completed.length), inline: true },
      { name: 'Revenue', value: `🪙 ${revenue.toLocaleString('en-US')} Coins`, inline: true },
      { name: 'Top-ups', value: String(settled.length), inline: true },
      { name: 'Stock', value: expect.stringMatching(/^\d+ available · \d+ reserved · \d+ delivered$/) },
    ]);
    expect(embed.description?.split('\n')).toHaveLength(2);
    const member = e2e.discord.slash(guildId, e2e.demo.member.id, 'botstats', {}, { ignoreCommandPermissions: true });
    expect(((await member.waitForResponse()).data as { content?: string }).content).toMatch(/admin/i);
  });
});
