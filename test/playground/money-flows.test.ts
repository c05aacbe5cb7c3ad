import { orderHoldKey } from '../../lib/flows/orders';
import { waitFor } from '../../lib/wait';
import type codeOrder from '../../scripts/playground-examples/code-order';
import type gameTrades from '../../scripts/playground-examples/game-trades';
import type topup from '../../scripts/playground-examples/topup';
import { startTestPlayground, type TestPlayground } from './helpers';

/** What an example returns. runExample gets one plain name: the every-example check reads `runExample<Name>('example')`. */
type Result<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
type TopupResult = Result<typeof topup>;
type CodeOrderResult = Result<typeof codeOrder>;
type GameTradesResult = Result<typeof gameTrades>;

/**
 * The money examples, run as `npm run playground -- scripts/playground-examples/<name>.ts` runs them: a
 * top-up paid at the fake Midtrans, a code order, and Roblox gems in and out through the game-server API.
 * Each outcome is read from the database (ledger entries, rows in their final status), the fake Discord
 * and Temporal.
 */
describe('playground examples: top-up, code order, game trades', () => {
  let pg: TestPlayground;
  beforeAll(async () => {
    pg = await startTestPlayground();
  });
  afterAll(() => pg?.close());

  const guildId = () => pg.playground.demo.guild.id;
  async function completed(workflowIds: string[]): Promise<void> {
    for (const id of workflowIds) {
      const handle = pg.temporal.workflow.getHandle(id);
      await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', { timeoutMs: 30_000, what: `${id} to complete` });
    }
  }
  /** The postings of a ledger entry on a member's account of an asset. */
  async function postingsTo(userId: string, asset: string, where: { idempotencyKey: string | { startsWith: string } }) {
    return pg.playground.prisma.posting.findMany({
      where: { entry: { guildId: guildId(), ...where }, account: { ownerType: 'user', ownerId: userId, asset: { code: asset } } },
      select: { amount: true, entry: { select: { idempotencyKey: true, status: true } } },
    });
  }

  it('topup: the member pays the QR code, is credited the amount exactly once and gets the receipt', async () => {
    const { playground: p } = pg;
    const { result, output } = await pg.runExample<TopupResult>('topup');
    const member = p.demo.member.id;
    expect(result.balanceAfter - result.balanceBefore).toBe(result.amount);
    // The only ledger entry of this payment credits the member its amount.
    const credits = await postingsTo(member, 'currency', { idempotencyKey: { startsWith: `topup:${result.paymentId}` } });
    expect(credits).toEqual([{ amount: result.amount, entry: { idempotencyKey: `topup:${result.paymentId}:credit`, status: 'posted' } }]);
    expect(await p.prisma.payment.findUniqueOrThrow({ where: { id: result.paymentId } })).toMatchObject({ status: 'settled', userId: member, amount: result.amount, creditedAt: expect.any(Date) });
    expect(p.discord.dms(member).filter((m) => m.embeds[0]?.title === 'Top-up received' && m.embeds[0]?.footer?.text?.includes(result.paymentId))).toHaveLength(1);
    await completed(result.workflowIds);
    expect(output).toContain('> Member: /topup amount:50000');
    expect(output).toContain('[Top up Rp 50,000]');
    expect(output).toContain('[Top-up received]');
  });

  it('code order: one imported code is delivered by DM to the order and marked so, the price charged once', async () => {
    const { playground: p } = pg;
    const { result, output } = await pg.runExample<CodeOrderResult>('code-order');
    const member = p.demo.member.id;
    await completed(result.workflowIds);
    expect(await p.prisma.codeOrder.findUniqueOrThrow({ where: { id: result.orderId } })).toMatchObject({ status: 'completed', userId: member, quantity: 1, price: result.price, deliveredVia: 'dm' });
    const codes = await p.prisma.code.findMany({ where: { orderId: result.orderId } });
    expect(codes).toEqual([expect.objectContaining({ status: 'delivered', shownAt: expect.any(Date) })]);
    // The other imported codes are still for sale.
    expect(await p.prisma.code.count({ where: { guildId: guildId(), status: 'available' } })).toBe(result.imported.length - 1);
    const charges = await postingsTo(member, 'currency', { idempotencyKey: { startsWith: `order:${result.orderId}` } });
    expect(charges).toEqual([{ amount: -result.price, entry: { idempotencyKey: orderHoldKey(result.orderId), status: 'posted' } }]);
    expect(result.balanceFunded - result.balanceAfter).toBe(result.price);
    const dms = p.discord.dms(member).filter((m) => m.embeds[0]?.footer?.text?.includes(`order:${result.orderId}`));
    expect(dms).toHaveLength(1);
    expect(dms[0]!.embeds[0]!.description).toContain(result.deliveredCode);
    expect(result.imported).toContain(result.deliveredCode);
    expect(output).toContain('> Member: /order package:1');
    expect(output).toContain('> Member presses [Confirm]');
    expect(output).toContain('[Order complete]');
  });

  it('game trades: a signed deposit credits gems and pets once, /withdraw takes part of it out through the game', async () => {
    const { playground: p } = pg;
    const { result, output } = await pg.runExample<GameTradesResult>('game-trades');
    const member = p.demo.member.id;
    const { gems, deposited, withdrawn } = result;
    expect(gems).toEqual({ before: gems.before, afterDeposit: gems.before + deposited.gems, afterWithdrawal: gems.before + deposited.gems - withdrawn.gems });
    // One credit for the deposit; for the withdrawal one hold, posted for what the game delivered.
    expect(await postingsTo(member, 'gems', { idempotencyKey: { startsWith: result.workflowIds[0]! } })).toEqual([{ amount: deposited.gems, entry: { idempotencyKey: expect.any(String), status: 'posted' } }]);
    expect(await postingsTo(member, 'gems', { idempotencyKey: { startsWith: result.workflowIds[1]! } })).toEqual([{ amount: -withdrawn.gems, entry: { idempotencyKey: expect.any(String), status: 'posted' } }]);
    expect(await p.prisma.gameDeposit.findUniqueOrThrow({ where: { id: result.depositId } })).toMatchObject({ status: 'credited', userId: member, gems: deposited.gems });
    expect(await p.prisma.withdrawal.findUniqueOrThrow({ where: { id: result.withdrawalId } })).toMatchObject({ status: 'delivered', userId: member, gems: withdrawn.gems, deliveredGems: withdrawn.gems });
    // The withdrawn stack left the member and the escrow; the other stayed with the member.
    const holdings = await p.prisma.petHolding.findMany({ where: { guildId: guildId(), species: { key: result.petKey } }, select: { ownerId: true, variant: true, quantity: true }, orderBy: [{ ownerId: 'asc' }, { variant: 'asc' }] });
    const stacks = Object.fromEntries(holdings.filter((h) => h.quantity > 0).map((h) => [`${h.ownerId === member ? 'member' : h.ownerId}:${h.variant}`, h.quantity]));
    const kept = deposited.pets.filter((pet) => pet.variant !== withdrawn.variant);
    expect(stacks).toEqual(Object.fromEntries(kept.map((pet) => [`member:${pet.variant}`, pet.quantity])));
    await completed(result.workflowIds);
    const receipts = p.discord.dms(member).filter((m) => m.embeds[0]?.footer?.text?.includes(result.workflowIds[0]!));
    expect(receipts.map((m) => m.embeds[0]?.title)).toEqual(['Deposit received']);
    expect(p.discord.message(result.withdrawMessageId)?.embeds[0]?.title).toBe('Withdrawal delivered');
    expect(output).toContain('> Admin: /trades register-game name:Pet Sim Demo');
    expect(output).toMatch(/POST \/roblox\/v1\/deposits .*\n {4}200 \{"status":"credited"/);
    expect(output).toContain('> Member: /withdraw gems:400');
    expect(output).toContain('[Withdrawal delivered]');
  });

  it('no flow the examples started ended as a Temporal failure', async () => {
    expect(await pg.brokenWorkflows()).toEqual([]);
  });
});
