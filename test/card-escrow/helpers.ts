import { createLogger, type Logger } from '../../lib/logger';
import { createStripeProvider, type EscrowDeps } from '../../lib/payments';
import { startPayoutOnboarding, type EscrowServiceDeps } from '../../activities/card-escrow';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { type FakeStripe, startFakeStripe } from '../fakes/stripe';

const STRIPE_KEY = 'sk_test_card_escrow_fake_key';
export const WEBHOOK_SECRET = 'whsec_card_escrow_fake_secret';

export interface EscrowHarness {
  db: TestDatabase;
  stripe: FakeStripe;
  escrow: EscrowDeps;
  deps: EscrowServiceDeps;
  log: Logger;
  logs: string[];
  /** A payee whose Stripe account finished onboarding; its account id. */
  onboard(userId: string): Promise<string>;
  close(): Promise<void>;
}

export async function startEscrowHarness(): Promise<EscrowHarness> {
  const db = await createTestDatabase();
  const stripe = await startFakeStripe({ secretKey: STRIPE_KEY, webhookSecret: WEBHOOK_SECRET });
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', pretty: false }, { write: (line: string) => void logs.push(line) });
  const escrow: EscrowDeps = { provider: createStripeProvider({ secretKey: STRIPE_KEY, apiUrl: stripe.url, maxNetworkRetries: 0 }), feePct: 2, publicBaseUrl: 'https://guildflow.test' };
  const deps: EscrowServiceDeps = { prisma: db.prisma, log, escrow };
  return {
    db,
    stripe,
    escrow,
    deps,
    log,
    logs,
    async onboard(userId) {
      const { accountId } = await startPayoutOnboarding(deps, { userId });
      await stripe.completeOnboarding(accountId);
      return accountId;
    },
    async close() {
      await stripe.close();
      await db.drop();
    },
  };
}
