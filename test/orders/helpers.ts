import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { ensurePackages } from '../../activities/codes/packages';
import { importCodes } from '../../activities/codes/stock';
import { systemAccount, userAccount } from '../../activities/ledger';
import { orderFlow, type OrderInput } from '../../lib/flows/orders';
import type { order } from '../../workflows/order';
import type { PaymentsEnv } from '../payments/helpers';

/** Orders run on the payments test env (same worker: payments, ledger, codes, Discord). */
let seq = 0;
const newOrderId = (): string => `o-${process.pid}-${++seq}-${Date.now() % 1_000_000}`;

export async function fund(env: PaymentsEnv, userId: string, amount: bigint): Promise<void> {
  await env.ledger.transfer({
    guildId: env.demo.guild.id,
    key: `test-fund:${randomUUID()}`,
    type: 'admin_adjust',
    actor: { type: 'system', id: 'test' },
    asset: 'currency',
    from: systemAccount('issuance'),
    to: userAccount(userId),
    amount,
  });
}

export async function balance(env: PaymentsEnv, userId: string) {
  return env.ledger.balance(env.demo.guild.id, userAccount(userId), 'currency');
}

export async function sinkBalance(env: PaymentsEnv): Promise<bigint> {
  return (await env.ledger.balance(env.demo.guild.id, systemAccount('sink'), 'currency')).balance;
}

/** The guild's package of `quantity` codes (defaults created on first use). */
export async function packageOf(env: PaymentsEnv, quantity: number) {
  const all = await ensurePackages(env.prisma, env.demo.guild.id);
  const p = all.find((x) => x.quantity === quantity);
  if (!p) throw new Error(`no ${quantity}-code package`);
  return p;
}

export async function addCodes(env: PaymentsEnv, codes: string[]) {
  return importCodes(env.prisma, env.keyring, env.demo.guild.id, codes.join('\n'));
}

export const uniqueCodes = (n: number, tag = randomUUID().slice(0, 8)): string[] => Array.from({ length: n }, (_, i) => `RDF-${tag}-${String(i).padStart(4, '0')}`);

export async function startOrder(
  env: Pick<PaymentsEnv, 'temporal' | 'taskQueue' | 'demo'>,
  input: Partial<OrderInput> & Pick<OrderInput, 'userId' | 'packageId'>,
): Promise<WorkflowHandle<typeof order>> {
  const orderId = input.orderId ?? newOrderId();
  return env.temporal.client.workflow.start<typeof order>('order', {
    taskQueue: env.taskQueue,
    workflowId: orderFlow.id(orderId),
    args: [
      {
        orderId,
        requestKey: `test:${orderId}`,
        guildId: env.demo.guild.id,
        reply: null,
        topupWaitSeconds: 30,
        fundsRetrySeconds: 5,
        deliveryTimeoutSeconds: 30,
        deliveryRetrySeconds: 1,
        ...input,
      },
    ],
  });
}
