import { randomUUID } from 'node:crypto';
import { ensurePackages } from '../activities/codes/packages';
import { importCodes } from '../activities/codes/stock';
import { createLedger, systemAccount, userAccount } from '../activities/ledger';
import type { order } from '../workflows/order';
import type { FlowBench } from './flow-bench';

/**
 * Code orders as the order benchmarks drive them: `order:{id}` workflows started straight from the client
 * (as the bot's Confirm does) for one of `buyers` funded members, with enough stock and money for
 * `capacity` orders, each run waited for and checked to have completed.
 */
export interface OrderDriver {
  /** One order on `taskQueue`, from start to its result. */
  orderOnce(taskQueue: string): Promise<void>;
  /** Every completed order delivered its code once; none sold twice. */
  check(): Promise<void>;
}

export async function prepareOrders(bench: FlowBench, { buyers: count, capacity }: { buyers: number; capacity: number }): Promise<OrderDriver> {
  const { prisma, discord, guildId, keyring, client } = bench;
  const pkg = (await ensurePackages(prisma, guildId)).find((p) => p.quantity === 1)!;
  for (let i = 0; i < capacity; i += 5000) {
    await importCodes(prisma, keyring, guildId, Array.from({ length: Math.min(5000, capacity - i) }, (_, j) => `BENCH-${randomUUID()}-${i + j}`).join('\n'));
  }
  const buyers = Array.from({ length: count }, (_, i) => {
    const u = discord.createUser({ username: `bench-buyer-${i}` });
    discord.addMember(guildId, u.id);
    return u.id;
  });
  const ledger = createLedger(prisma);
  for (const u of buyers) {
    await ledger.transfer({ guildId, key: `bench-fund:${u}`, type: 'admin_adjust', actor: { type: 'system', id: 'bench' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(u), amount: pkg.price * BigInt(capacity) });
  }
  let n = 0;
  return {
    async orderOnce(taskQueue) {
      n += 1;
      const orderId = `b${n}-${randomUUID().slice(0, 8)}`;
      const result = await client.workflow.execute<typeof order>('order', {
        taskQueue,
        workflowId: `order:${orderId}`,
        args: [{ orderId, requestKey: orderId, guildId, userId: buyers[n % buyers.length]!, packageId: pkg.id, reply: null, topupWaitSeconds: 60, fundsRetrySeconds: 30, deliveryTimeoutSeconds: 60, deliveryRetrySeconds: 1 }],
      });
      if (result.status !== 'completed') throw new Error(`order ${orderId} ended ${result.status}: ${result.failureReason}`);
    },
    async check() {
      const delivered = await prisma.code.count({ where: { guildId, status: 'delivered' } });
      const completed = await prisma.codeOrder.count({ where: { guildId, status: 'completed' } });
      if (delivered !== completed) throw new Error(`${completed} completed orders but ${delivered} delivered codes`);
    },
  };
}
