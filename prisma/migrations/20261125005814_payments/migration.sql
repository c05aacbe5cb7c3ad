-- CreateTable
CREATE TABLE "payments" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'IDR',
    "credit" BIGINT NOT NULL,
    "asset_code" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'created',
    "provider_status" TEXT,
    "provider_transaction_id" TEXT,
    "qr_url" TEXT,
    "qr_string" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "settled_at" TIMESTAMPTZ(3),
    "credited_at" TIMESTAMPTZ(3),
    "failure_reason" TEXT,
    "request_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_notifications" (
    "id" BIGSERIAL NOT NULL,
    "provider" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "transaction_id" TEXT NOT NULL,
    "transaction_status" TEXT NOT NULL,
    "status_code" TEXT NOT NULL,
    "fraud_status" TEXT,
    "gross_amount" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signalled_at" TIMESTAMPTZ(3),

    CONSTRAINT "payment_notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "payments_provider_transaction_id_key" ON "payments"("provider_transaction_id");

-- CreateIndex
CREATE UNIQUE INDEX "payments_request_key_key" ON "payments"("request_key");

-- CreateIndex
CREATE INDEX "payments_guild_id_created_at_idx" ON "payments"("guild_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "payments_guild_id_user_id_created_at_idx" ON "payments"("guild_id", "user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "payments_status_idx" ON "payments"("status");

-- CreateIndex
CREATE INDEX "payment_notifications_order_id_idx" ON "payment_notifications"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_notifications_provider_transaction_id_transaction_s_key" ON "payment_notifications"("provider", "transaction_id", "transaction_status");

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express.
ALTER TABLE "payments" ADD CONSTRAINT "payments_values_check" CHECK (
  "amount" > 0 AND "credit" > 0
  AND "status" IN ('created', 'pending', 'settled', 'expired', 'denied', 'cancelled', 'failed')
  AND ("status" <> 'settled' OR "credited_at" IS NOT NULL)
);
