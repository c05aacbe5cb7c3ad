-- CreateTable
CREATE TABLE "card_payout_accounts" (
    "user_id" TEXT NOT NULL,
    "stripe_account_id" TEXT NOT NULL,
    "charges_enabled" BOOLEAN NOT NULL DEFAULT false,
    "payouts_enabled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_payout_accounts_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "card_escrows" (
    "proposal_id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "payer_id" TEXT NOT NULL,
    "payee_id" TEXT NOT NULL,
    "destination" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "fee_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "payment_intent_id" TEXT,
    "pay_url" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "action" TEXT,
    "transfer_id" TEXT,
    "refund_id" TEXT,
    "refund_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_escrows_pkey" PRIMARY KEY ("proposal_id")
);

-- CreateTable
CREATE TABLE "stripe_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "object_id" TEXT,
    "proposal_id" TEXT,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signalled_at" TIMESTAMPTZ(3),
    "signal_result" TEXT,

    CONSTRAINT "stripe_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_email_confirmations" (
    "id" BIGSERIAL NOT NULL,
    "user_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_email_confirmations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_notifications" (
    "key" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "proposal_id" TEXT NOT NULL,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL,
    "email_at" TIMESTAMPTZ(3),
    "dm_at" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),
    "result" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_notifications_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "card_payout_accounts_stripe_account_id_key" ON "card_payout_accounts"("stripe_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_escrows_payment_intent_id_key" ON "card_escrows"("payment_intent_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_escrows_transfer_id_key" ON "card_escrows"("transfer_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_escrows_refund_id_key" ON "card_escrows"("refund_id");

-- CreateIndex
CREATE INDEX "stripe_events_proposal_id_idx" ON "stripe_events"("proposal_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_email_confirmations_token_hash_key" ON "card_email_confirmations"("token_hash");

-- CreateIndex
CREATE INDEX "card_email_confirmations_user_id_idx" ON "card_email_confirmations"("user_id");

-- The invariants the code relies on.
ALTER TABLE "card_escrows" ADD CONSTRAINT "card_escrows_amount_positive" CHECK ("amount_cents" > 0 AND "fee_cents" >= 0 AND "fee_cents" < "amount_cents");
ALTER TABLE "card_escrows" ADD CONSTRAINT "card_escrows_action_known" CHECK ("action" IS NULL OR "action" IN ('release', 'refund'));
ALTER TABLE "card_escrows" ADD CONSTRAINT "card_escrows_status_known" CHECK ("status" IN ('pending', 'held', 'failed', 'refunded', 'released'));
