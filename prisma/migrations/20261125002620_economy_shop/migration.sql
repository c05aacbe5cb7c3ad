-- CreateTable
CREATE TABLE "ledger_archived_entries" (
    "id" BIGINT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "reason" TEXT,
    "refs" JSONB NOT NULL DEFAULT '{}',
    "postings" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "posted_at" TIMESTAMPTZ(3),
    "voided_at" TIMESTAMPTZ(3),
    "archived_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "checkpoint_entry_id" BIGINT NOT NULL,

    CONSTRAINT "ledger_archived_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "economy_settings" (
    "guild_id" TEXT NOT NULL,
    "daily_amount" BIGINT NOT NULL DEFAULT 100,
    "daily_cooldown_seconds" INTEGER NOT NULL DEFAULT 86400,
    "daily_streak_bonus" BIGINT NOT NULL DEFAULT 10,
    "daily_streak_max" INTEGER NOT NULL DEFAULT 7,
    "daily_streak_grace_seconds" INTEGER NOT NULL DEFAULT 86400,
    "admin_adjust_limit_per_minute" INTEGER NOT NULL DEFAULT 5,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "economy_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "economy_daily_claims" (
    "guild_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "streak" INTEGER NOT NULL,
    "claims" INTEGER NOT NULL,
    "last_claim_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "economy_daily_claims_pkey" PRIMARY KEY ("guild_id","user_id")
);

-- CreateTable
CREATE TABLE "rate_limit_hits" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rate_limit_hits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shop_items" (
    "id" SERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "emoji" TEXT,
    "price" BIGINT NOT NULL,
    "asset_code" TEXT NOT NULL DEFAULT 'currency',
    "stock" INTEGER,
    "per_user_limit" INTEGER,
    "role_id" TEXT,
    "role_duration_seconds" INTEGER,
    "required_role_id" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "shop_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inventory_items" (
    "guild_id" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "item_id" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_items_pkey" PRIMARY KEY ("guild_id","owner_id","item_id")
);

-- CreateTable
CREATE TABLE "inventory_movements" (
    "id" BIGSERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "item_id" INTEGER NOT NULL,
    "delta" INTEGER NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "reason" TEXT,
    "refs" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_movements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shop_purchases" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "item_id" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unit_price" BIGINT NOT NULL,
    "total" BIGINT NOT NULL,
    "asset_code" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "stock_taken" BOOLEAN NOT NULL DEFAULT false,
    "role_id" TEXT,
    "role_granted_at" TIMESTAMPTZ(3),
    "role_expires_at" TIMESTAMPTZ(3),
    "role_removed_at" TIMESTAMPTZ(3),
    "failure_reason" TEXT,
    "request_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "shop_purchases_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ledger_archived_entries_idempotency_key_key" ON "ledger_archived_entries"("idempotency_key");

-- CreateIndex
CREATE INDEX "ledger_archived_entries_guild_id_id_idx" ON "ledger_archived_entries"("guild_id", "id" DESC);

-- CreateIndex
CREATE INDEX "rate_limit_hits_key_created_at_idx" ON "rate_limit_hits"("key", "created_at");

-- CreateIndex
CREATE INDEX "shop_items_guild_id_deleted_at_idx" ON "shop_items"("guild_id", "deleted_at");

-- CreateIndex
CREATE UNIQUE INDEX "inventory_movements_idempotency_key_key" ON "inventory_movements"("idempotency_key");

-- CreateIndex
CREATE INDEX "inventory_movements_guild_id_owner_id_id_idx" ON "inventory_movements"("guild_id", "owner_id", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "shop_purchases_request_key_key" ON "shop_purchases"("request_key");

-- CreateIndex
CREATE INDEX "shop_purchases_guild_id_user_id_item_id_idx" ON "shop_purchases"("guild_id", "user_id", "item_id");

-- CreateIndex
CREATE INDEX "shop_purchases_guild_id_created_at_idx" ON "shop_purchases"("guild_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "economy_settings" ADD CONSTRAINT "economy_settings_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "economy_daily_claims" ADD CONSTRAINT "economy_daily_claims_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shop_items" ADD CONSTRAINT "shop_items_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory_items" ADD CONSTRAINT "inventory_items_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory_items" ADD CONSTRAINT "inventory_items_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "shop_items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shop_purchases" ADD CONSTRAINT "shop_purchases_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shop_purchases" ADD CONSTRAINT "shop_purchases_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "shop_items"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Invariants Prisma cannot express.
ALTER TABLE "economy_settings" ADD CONSTRAINT "economy_settings_values_check" CHECK (
    "daily_amount" >= 0 AND "daily_cooldown_seconds" >= 1 AND "daily_streak_bonus" >= 0 AND "daily_streak_max" >= 0
    AND "daily_streak_grace_seconds" >= 0 AND "admin_adjust_limit_per_minute" >= 1);
ALTER TABLE "economy_daily_claims" ADD CONSTRAINT "economy_daily_claims_values_check" CHECK ("streak" >= 1 AND "claims" >= 1);
ALTER TABLE "shop_items" ADD CONSTRAINT "shop_items_values_check" CHECK (
    length("name") BETWEEN 1 AND 100 AND length("description") <= 1000 AND "price" >= 0
    AND ("stock" IS NULL OR "stock" >= 0) AND ("per_user_limit" IS NULL OR "per_user_limit" >= 1)
    AND ("role_duration_seconds" IS NULL OR ("role_id" IS NOT NULL AND "role_duration_seconds" >= 1)));
-- Names are unique among the items that still exist; a removed item's name can be reused.
CREATE UNIQUE INDEX "shop_items_guild_id_live_name_key" ON "shop_items" ("guild_id", lower("name")) WHERE "deleted_at" IS NULL;
ALTER TABLE "inventory_items" ADD CONSTRAINT "inventory_items_quantity_check" CHECK ("quantity" >= 0);
ALTER TABLE "inventory_movements" ADD CONSTRAINT "inventory_movements_values_check" CHECK ("delta" <> 0 AND length("idempotency_key") BETWEEN 1 AND 200);
ALTER TABLE "shop_purchases" ADD CONSTRAINT "shop_purchases_values_check" CHECK (
    "quantity" >= 1 AND "unit_price" >= 0 AND "total" = "unit_price" * "quantity"
    AND "status" IN ('pending', 'completed', 'failed', 'role_expired'));
