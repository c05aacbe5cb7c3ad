-- CreateTable
CREATE TABLE "code_shop_settings" (
    "guild_id" TEXT NOT NULL,
    "low_stock_threshold" INTEGER NOT NULL DEFAULT 10,
    "low_stock_alerted" BOOLEAN NOT NULL DEFAULT false,
    "topup_wait_seconds" INTEGER NOT NULL DEFAULT 900,
    "delivery_timeout_seconds" INTEGER NOT NULL DEFAULT 86400,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "code_shop_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "code_packages" (
    "id" SERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "price" BIGINT NOT NULL,
    "asset_code" TEXT NOT NULL DEFAULT 'currency',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "code_packages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "codes" (
    "id" BIGSERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "iv" BYTEA NOT NULL,
    "auth_tag" BYTEA NOT NULL,
    "key_id" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'available',
    "order_id" TEXT,
    "reserved_at" TIMESTAMPTZ(3),
    "shown_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "code_orders" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "package_id" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "price" BIGINT NOT NULL,
    "asset_code" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "failure_reason" TEXT,
    "delivered_via" TEXT,
    "topup_payment_id" TEXT,
    "request_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "code_orders_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "code_packages_guild_id_quantity_key" ON "code_packages"("guild_id", "quantity");

-- CreateIndex
CREATE INDEX "codes_guild_id_status_id_idx" ON "codes"("guild_id", "status", "id");

-- CreateIndex
CREATE INDEX "codes_order_id_idx" ON "codes"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "codes_guild_id_hash_key" ON "codes"("guild_id", "hash");

-- CreateIndex
CREATE UNIQUE INDEX "code_orders_request_key_key" ON "code_orders"("request_key");

-- CreateIndex
CREATE INDEX "code_orders_guild_id_created_at_idx" ON "code_orders"("guild_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "code_orders_guild_id_user_id_created_at_idx" ON "code_orders"("guild_id", "user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "code_orders_guild_id_status_idx" ON "code_orders"("guild_id", "status");

-- AddForeignKey
ALTER TABLE "code_shop_settings" ADD CONSTRAINT "code_shop_settings_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "code_packages" ADD CONSTRAINT "code_packages_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "codes" ADD CONSTRAINT "codes_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "codes" ADD CONSTRAINT "codes_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "code_orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "code_orders" ADD CONSTRAINT "code_orders_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "code_orders" ADD CONSTRAINT "code_orders_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "code_packages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Invariants Prisma cannot express.
ALTER TABLE "code_shop_settings" ADD CONSTRAINT "code_shop_settings_values_check" CHECK (
  "low_stock_threshold" >= 0 AND "topup_wait_seconds" >= 1 AND "delivery_timeout_seconds" >= 1
);
ALTER TABLE "code_packages" ADD CONSTRAINT "code_packages_values_check" CHECK ("quantity" BETWEEN 1 AND 1000 AND "price" >= 0);
-- A code is held by an order exactly when it is not available; a delivered code was shown.
ALTER TABLE "codes" ADD CONSTRAINT "codes_values_check" CHECK (
  "status" IN ('available', 'reserved', 'delivered')
  AND (("status" = 'available') = ("order_id" IS NULL))
  AND ("status" <> 'delivered' OR "shown_at" IS NOT NULL)
  AND octet_length("iv") = 12 AND octet_length("auth_tag") = 16
);
ALTER TABLE "code_orders" ADD CONSTRAINT "code_orders_values_check" CHECK (
  "quantity" >= 1 AND "price" >= 0
  AND "status" IN ('pending', 'awaiting_funds', 'completed', 'failed', 'refunded', 'needs_admin')
);
