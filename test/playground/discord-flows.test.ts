import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { waitFor } from '../../lib/wait';
import { startTestPlayground, type TestPlayground } from './helpers';

/**
 * The Discord-side example scripts (verification, a shop purchase, a task reviewed, a scheduled
 * announcement, a pad session, a support ticket), run as `npm run playground -- scripts/playground-examples/<name>.ts` runs them, on one
 * playground; each outcome is read back from the database, the fake Discord and Temporal.
 */
describe('playground examples: verification, shop, tasks, announcements', () => {
  let pg: TestPlayground;
  beforeAll(async () => {
    pg = await startTestPlayground();
  });
  afterAll(() => pg?.close());

  const flowStatus = async (workflowId: string) => (await pg.temporal.workflow.getHandle(workflowId).describe()).status.name;
  const waitForFlow = (workflowId: string, status: WorkflowExecutionStatusName) =>
    waitFor(async () => (await flowStatus(workflowId)) === status, { timeoutMs: 30_000, what: `workflow ${workflowId} to be ${status}` });
  const memberRoles = () => pg.playground.discord.member(pg.playground.demo.guild.id, pg.playground.demo.member.id)?.roles ?? [];

  it('verify: the member links builderman; Verified on, Unverified off, the link row saved, the flow completed', async () => {
    const { demo, prisma } = pg.playground;
    const { result, output } = await pg.runExample<{ workflowIds: string[]; robloxId: number }>('verify');
    expect(memberRoles()).toContain(demo.roles.verified.id);
    expect(memberRoles()).not.toContain(demo.roles.unverified.id);
    expect(pg.playground.discord.member(demo.guild.id, demo.member.id)?.nick).toBe('builderman');
    const link = await prisma.robloxLink.findUnique({ where: { guildId_userId: { guildId: demo.guild.id, userId: demo.member.id } } });
    expect(link).toMatchObject({ robloxId: BigInt(result.robloxId), robloxName: 'builderman', method: 'profile_phrase', workflowId: result.workflowIds[0] });
    for (const id of result.workflowIds) await waitForFlow(id, 'COMPLETED');
    expect(output).toContain('> Member: /verify username:builderman');
    expect(output).toMatch(/\[Verified as builderman\]/);
    expect(output).toContain("Member's roles: @Verified; nickname: builderman");
  });

  it('shop purchase: the member buys the VIP Pass with /buy; charged its price once, stock down, role and inventory', async () => {
    const { demo, prisma, discord } = pg.playground;
    const guildId = demo.guild.id;
    const { result, output } = await pg.runExample<{ workflowIds: string[]; itemId: number; price: bigint; balanceBefore: bigint; balanceAfter: bigint; stockBefore: number; stockAfter: number }>('shop-purchase');
    const [workflowId] = result.workflowIds;
    await waitForFlow(workflowId!, 'COMPLETED');
    const purchase = await prisma.purchase.findFirstOrThrow({ where: { guildId, userId: demo.member.id, itemId: result.itemId } });
    expect(purchase).toMatchObject({ status: 'completed', quantity: 1, total: result.price });
    // The member's account in the ledger: the purchase's hold posted for the price, the balance its postings' sum.
    const postings = await prisma.posting.findMany({ where: { account: { guildId, ownerType: 'user', ownerId: demo.member.id, asset: { code: 'currency' } } }, include: { entry: true } });
    expect(postings.filter((p) => p.entry.idempotencyKey === `${workflowId}:hold`).map((p) => [p.entry.status, p.amount])).toEqual([['posted', -result.price]]);
    expect(postings.reduce((sum, p) => sum + p.amount, 0n)).toBe(result.balanceBefore - result.price);
    expect(result.balanceAfter).toBe(result.balanceBefore - result.price);
    const item = await prisma.shopItem.findUniqueOrThrow({ where: { id: result.itemId } });
    expect(item.stock).toBe(result.stockBefore - 1);
    expect(memberRoles()).toContain(item.roleId);
    expect(discord.roles(guildId).find((r) => r.id === item.roleId)?.name).toBe('VIP');
    expect(await prisma.inventoryItem.findUnique({ where: { guildId_ownerId_itemId: { guildId, ownerId: demo.member.id, itemId: item.id } } })).toMatchObject({ quantity: 1 });
    expect(output).toContain('> Member: /buy item:VIP Pass');
    expect(output).toContain('[Purchase complete]');
    expect(output).toContain(`Balance ${result.balanceBefore} → ${result.balanceBefore - result.price} coins; stock ${result.stockBefore} → ${result.stockBefore - 1}`);
  });

  it('task review: claimed, proof sent, accepted by the admin; the reward paid exactly once, the member told, the flow completed', async () => {
    const { demo, prisma, discord } = pg.playground;
    const guildId = demo.guild.id;
    const { result, output } = await pg.runExample<{ workflowIds: string[]; taskId: number; reward: bigint; balanceBefore: bigint; balanceAfter: bigint }>('task-review');
    const [workflowId] = result.workflowIds;
    // The revoke window is 0: the flow ends with the award.
    await waitForFlow(workflowId!, 'COMPLETED');
    const claim = await prisma.taskClaim.findUniqueOrThrow({ where: { taskId_userId: { taskId: result.taskId, userId: demo.member.id } } });
    expect(claim).toMatchObject({ id: workflowId, status: 'completed', submissions: 1, rewardPaid: result.reward, decidedBy: demo.admin.id, proofText: 'Done: https://wiki.example/beginner-guide' });
    const rewards = await prisma.posting.findMany({ where: { account: { guildId, ownerType: 'user', ownerId: demo.member.id }, entry: { type: 'reward' } }, include: { entry: true } });
    expect(rewards.map((p) => [p.entry.idempotencyKey, p.entry.status, p.amount])).toEqual([[claim.awardKey, 'posted', result.reward]]);
    expect(result.balanceAfter - result.balanceBefore).toBe(result.reward);
    expect(discord.dms(demo.member.id).filter((m) => m.embeds[0]?.title === 'Task accepted: Write a beginner guide')).toHaveLength(1);
    expect(output).toContain('> Member presses [Claim]');
    expect(output).toContain('> Admin presses [Accept]');
    expect(output).toContain('Accepted: the reward was paid and the member told.');
    expect(output).toContain(`Member's balance: ${result.balanceBefore} → ${result.balanceBefore + result.reward} coins`);
  });

  it('announcement: scheduled a few seconds ahead, posted at its time with its text; row sent, its flow completed, its sync flow running', async () => {
    const { demo, prisma, discord } = pg.playground;
    const { result, output } = await pg.runExample<{ workflowIds: string[]; syncWorkflowId: string; announcementId: string; messageId: string }>('announcement');
    const posted = discord.messages(demo.channels.general).filter((m) => m.embeds[0]?.title === 'Game night on Friday');
    expect(posted.map((m) => [m.id, m.embeds[0]?.description, m.embeds[0]?.color])).toEqual([[result.messageId, 'Join us in the lobby at 20:00 UTC: prizes for the top three builders.', 0xf1c40f]]);
    const row = await prisma.announcement.findUniqueOrThrow({ where: { id: result.announcementId } });
    expect(row).toMatchObject({ status: 'sent', channelId: demo.channels.general, sentAt: expect.any(Date) });
    // Not before its time.
    expect(posted[0]!.at).toBeGreaterThanOrEqual(row.sendAt!.getTime());
    // The sync flow stores the message's id once Discord has answered its post: a moment after the message shows.
    const syncRow = () => prisma.syncMessage.findUnique({ where: { entityType_entityId: { entityType: 'announcement', entityId: result.announcementId } } });
    await waitFor(async () => (await syncRow())?.state === 'synced', { timeoutMs: 30_000, what: 'the announcement message to be synced' });
    expect(await syncRow()).toMatchObject({ messageId: result.messageId, channelId: demo.channels.general });
    for (const id of result.workflowIds) await waitForFlow(id, 'COMPLETED');
    expect(await flowStatus(result.syncWorkflowId)).toBe('RUNNING');
    expect(output).toContain('> Admin (API): POST /announcements — the same, sendAt');
    expect(output).toMatch(/Posted in #general \d+ ms after its send time:\n {4}\[Game night on Friday\]/);
  });

  it('pad session: a mod hosts a training on pad 1, the member finds it taken, the host ends it; one session row, the flow completed', async () => {
    const { demo, prisma } = pg.playground;
    const { result, output } = await pg.runExample<{ workflowIds: string[]; announcementId: string; hostId: string }>('pad-session');
    for (const id of result.workflowIds) await waitForFlow(id, 'COMPLETED');
    const sessions = await prisma.padSession.findMany({ where: { guildId: demo.guild.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ pad: 1, type: 'training', hostId: result.hostId, endReason: 'host', endedBy: result.hostId });
    expect(pg.playground.discord.message(result.announcementId)?.embeds[0]?.title).toBe('Training on pad 1 — ended');
    expect(output).toContain('Pad 1 is taken');
    expect(output).toContain('> Moderator presses [End session]');
  });

  it('ticket: opened through the form, claimed, closed with a reason; transcript posted and DMed, the channel deleted, the flow completed', async () => {
    const { demo, prisma, discord } = pg.playground;
    const { result, output } = await pg.runExample<{ workflowIds: string[]; ticketId: string; channelId: string; transcriptMessageId: string }>('ticket');
    for (const id of result.workflowIds) await waitForFlow(id, 'COMPLETED');
    expect(await prisma.ticket.findUniqueOrThrow({ where: { id: result.ticketId } })).toMatchObject({ status: 'closed', claimedBy: demo.mod.id, closedBy: demo.mod.id, closeReason: 'Solved: the pet was refunded' });
    expect(discord.channel(result.channelId)).toBeUndefined();
    const file = discord.message(result.transcriptMessageId)?.attachments[0];
    expect(file?.filename).toMatch(/\.html$/);
    const html = await (await fetch(file!.url)).text();
    expect(html).toContain('Found it: the trade was refunded, check your inventory.');
    expect(html).toContain('It is back, thank you!');
    expect(output).toContain('> Moderator presses [Claim]');
    expect(output).toContain('The ticket channel is deleted after the 5 s delay');
  });

  it('no flow the examples started ended as a Temporal failure', async () => {
    expect(await pg.brokenWorkflows()).toEqual([]);
  });
});
