import { createLedger, userAccount } from '../../activities/ledger';
import { topupPaymentId } from '../../bot/commands/payments/topup';
import { patternPng } from '../fakes/png';
import { startE2E, type E2E } from '../e2e/harness';

/**
 * /topup as a member uses it: the slash command through the fake Discord and the real bot, the worker,
 * the fake Midtrans notifying our real API's webhook — what the member sees (the ephemeral QR image with
 * the amount and expiry, the receipt DM) and the balance.
 */
describe('/topup end to end', () => {
  let e2e: E2E;
  let guildId: string;

  beforeAll(async () => {
    e2e = await startE2E({ env: { TOPUP_MIN_AMOUNT: '10000', TOPUP_MAX_AMOUNT: '500000', TOPUP_EXPIRY_SECONDS: '600', TOPUP_POLL_SECONDS: '30' } });
    guildId = e2e.demo.guild.id;
  });
  afterAll(() => e2e?.close());

  const balance = async (userId: string) => (await createLedger(e2e.prisma).balance(guildId, userAccount(userId), 'currency')).balance;

  it('shows the QR code ephemerally, and credits the member once paid, with a receipt by DM', async () => {
    const user = e2e.demo.member.id;
    const slash = e2e.discord.slash(guildId, user, 'topup', { amount: 75000 });
    const ack = await slash.waitForResponse();
    expect(ack).toMatchObject({ type: 5, ephemeral: true });
    const paymentId = topupPaymentId(slash.id);

    const shown = await e2e.discord.waitFor(() => (slash.original()?.attachments.length ? slash.original() : undefined), 10_000, 'the QR code');
    expect(shown.ephemeral).toBe(true);
    const embed = shown.embeds[0]!;
    expect(embed.title).toBe('Top up Rp 75,000');
    expect(embed.description).toContain('pay **Rp 75,000**');
    expect(embed.description).toContain('🪙 75,000 Coins');
    expect(embed.fields?.find((f) => f.name === 'Expires')?.value).toMatch(/^<t:\d+:t>/);
    expect(embed.image?.url).toBe('attachment://qris.png');
    expect(embed.footer?.text).toBe(`Guildflow · topup:${paymentId}`);
    // The image is the gateway's QR for this very charge.
    const charge = e2e.midtrans.charge(paymentId)!;
    expect(shown.attachments[0]).toMatchObject({ filename: 'qris.png', contentType: 'image/png' });
    expect(shown.attachments[0]!.data.equals(patternPng(charge.qrString))).toBe(true);
    // Nobody else sees it: no message visible to the channel carries it.
    expect(e2e.discord.messages(e2e.demo.channels.general).filter((m) => !m.ephemeral && m.attachments.length)).toEqual([]);

    await e2e.midtrans.pay(paymentId);
    await e2e.waitForWorkflow(`topup:${paymentId}`, 'COMPLETED');
    expect(await balance(user)).toBe(75000n);
    const dm = await e2e.discord.waitFor(() => e2e.discord.dms(user).find((m) => m.embeds[0]?.title === 'Top-up received'), 5000, 'the receipt');
    expect(dm.embeds[0]?.description).toContain('Your balance is now **🪙 75,000 Coins**');
    // The QR message no longer invites a payment.
    expect(slash.original()?.embeds[0]?.title).toBe('Top-up received');
  });

  it('an amount outside the limits is refused with the limits, and nothing is started or charged', async () => {
    const user = e2e.demo.mod.id;
    const chargesBefore = e2e.midtrans.transactions().length;
    for (const amount of [500, 600000]) {
      const slash = e2e.discord.slash(guildId, user, 'topup', { amount });
      const r = await slash.waitForResponse();
      expect(r.ephemeral).toBe(true);
      expect((r.data as { content?: string }).content).toBe('A top-up must be a whole amount from 10,000 to 500,000 IDR.');
      await expect(e2e.temporal.workflow.getHandle(`topup:${topupPaymentId(slash.id)}`).describe()).rejects.toThrow(/not found/i);
    }
    expect(e2e.midtrans.transactions().length).toBe(chargesBefore);
    expect(await e2e.prisma.payment.count({ where: { userId: user } })).toBe(0);
    expect(await balance(user)).toBe(0n);
  });
});
