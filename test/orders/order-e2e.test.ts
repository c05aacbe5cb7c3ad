import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord.js';
import { codesForDelivery, importCodes } from '../../activities/codes/stock';
import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import { createCodeKeyring } from '../../lib/crypto/codes';
import type { OrderState } from '../../workflows/order';
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
});
