import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from '@temporalio/worker';
import { REST } from 'discord.js';
import { createActivities } from '../../activities';
import { startPayoutOnboarding } from '../../activities/card-escrow';
import { createApp } from '../../api/app';
import { closeDiscordRest } from '../../lib/discord/rest';
import type { CardTradeState } from '../../lib/flows/card-trades';
import { readTradeStatus } from '../../lib/flows/card-trades.client';
import { createLogger } from '../../lib/logger';
import { createStripeProvider, type EscrowDeps } from '../../lib/payments';
import { waitFor } from '../../lib/wait';
import { type FakeStripe, startFakeStripe } from '../fakes/stripe';
import { bundleWorkflows } from '../helpers/temporal';
import { startTradeEnv, type TradeEnv } from './helpers';

const STRIPE_KEY = 'sk_test_card_trades_fake_key';
const WEBHOOK_SECRET = 'whsec_card_trades_fake_secret';
export const FEE_PCT = 2;

/**
 * Card trades with real cash: the trade env (fake Discord, test database, the run's Temporal) plus the
 * fake Stripe, a worker running the real workflows/ bundle with the REAL escrow activities (the production
 * Stripe client pointed at the fake), and a running API whose POST /webhooks/stripe the fake Stripe
 * sends its signed events to.
 */
export interface StripeTradeEnv extends TradeEnv {
  stripe: FakeStripe;
  escrow: EscrowDeps;
  webhookUrl: string;
  /** Starts the worker (real escrow activities); stop it to restart. */
  startEscrowWorker(): Promise<{ stop(): Promise<void> }>;
  /** A payee whose Stripe connected account finished onboarding; its account id. */
  onboard(userId: string): Promise<string>;
  /** The flow's state (its status query). */
  stateOf(proposalId: string): Promise<CardTradeState>;
  /** Messages in the admin log channel. */
  adminLog(): string[];
}

export async function startStripeTradeEnv(): Promise<StripeTradeEnv> {
  const env = await startTradeEnv();
  const stripe = await startFakeStripe({ secretKey: STRIPE_KEY, webhookSecret: WEBHOOK_SECRET });
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  const escrow: EscrowDeps = { provider: createStripeProvider({ secretKey: STRIPE_KEY, apiUrl: stripe.url, maxNetworkRetries: 0 }), feePct: FEE_PCT, publicBaseUrl: 'https://guildflow.test' };
  const app = createApp({ prisma: env.prisma, log, readiness: [], temporal: env.temporal.client, taskQueue: env.taskQueue, stripeWebhookSecret: WEBHOOK_SECRET, escrow });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  stripe.setWebhookUrl(webhookUrl);
  const rest = new REST({ api: env.discord.restUrl, retries: 0, timeout: 5000, rejectOnRateLimit: () => true }).setToken(env.discord.token);
  const bundle = await bundleWorkflows(require.resolve('../../workflows'));
  const workers = new Set<{ stop(): Promise<void> }>();
  return {
    ...env,
    stripe,
    escrow,
    webhookUrl,
    async startEscrowWorker() {
      const activities = createActivities({ prisma: env.prisma, log, discord: rest, escrow });
      const worker = await Worker.create({ connection: env.temporal.nativeConnection, namespace: env.temporal.namespace, taskQueue: env.taskQueue, workflowBundle: bundle, activities });
      const done = worker.run();
      const handle = {
        async stop() {
          workers.delete(handle);
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await done;
        },
      };
      workers.add(handle);
      return handle;
    },
    async onboard(userId) {
      const { accountId } = await startPayoutOnboarding({ prisma: env.prisma, log, escrow }, { userId });
      await stripe.completeOnboarding(accountId);
      await waitFor(async () => (await env.prisma.cardPayoutAccount.findUnique({ where: { userId } }))?.payoutsEnabled, { timeoutMs: 15_000, what: 'the payout account enabled' });
      return accountId;
    },
    async stateOf(proposalId) {
      const s = await readTradeStatus(env.temporal.client, proposalId);
      if (!('state' in s) || !s.state) throw new Error(`no state for card trade ${proposalId} (${s.status})`);
      return s.state;
    },
    adminLog: () => env.discord.messages(env.demo.channels.adminLog.id).flatMap((m) => m.embeds.map((e) => `${e.title ?? ''}\n${e.description ?? ''}`)),
    async close() {
      for (const w of [...workers]) await w.stop().catch(() => undefined);
      closeDiscordRest(rest);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stripe.close();
      await env.close();
    },
  };
}
