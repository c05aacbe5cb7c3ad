-- CreateTable
CREATE TABLE "trade_settings" (
    "guild_id" TEXT NOT NULL,
    "withdraw_timeout_seconds" INTEGER NOT NULL DEFAULT 86400,
    "max_deposit_gems" BIGINT NOT NULL DEFAULT 1000000000,
    "max_deposit_pets" INTEGER NOT NULL DEFAULT 200,
    "max_withdraw_gems" BIGINT NOT NULL DEFAULT 1000000000,
    "max_withdraw_pets" INTEGER NOT NULL DEFAULT 200,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trade_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "roblox_games" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secret_ciphertext" BYTEA NOT NULL,
    "secret_iv" BYTEA NOT NULL,
    "secret_auth_tag" BYTEA NOT NULL,
    "secret_key_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_heartbeat_at" TIMESTAMPTZ(3),
    "last_server_id" TEXT,
    "last_player_count" INTEGER,

    CONSTRAINT "roblox_games_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "roblox_game_nonces" (
    "game_id" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "roblox_game_nonces_pkey" PRIMARY KEY ("game_id","nonce")
);

-- CreateTable
CREATE TABLE "pet_species" (
    "id" SERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "rarity" TEXT NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,
    "emoji" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "pet_species_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pet_holdings" (
    "guild_id" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "species_id" INTEGER NOT NULL,
    "variant" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pet_holdings_pkey" PRIMARY KEY ("guild_id","owner_id","species_id","variant")
);

-- CreateTable
CREATE TABLE "pet_movements" (
    "id" BIGSERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "species_id" INTEGER NOT NULL,
    "variant" TEXT NOT NULL,
    "delta" INTEGER NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "reason" TEXT,
    "refs" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pet_movements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "game_deposits" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "game_id" TEXT NOT NULL,
    "trade_id" TEXT NOT NULL,
    "roblox_id" BIGINT NOT NULL,
    "user_id" TEXT,
    "server_id" TEXT,
    "gems" BIGINT NOT NULL DEFAULT 0,
    "pets" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "message" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "game_deposits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "withdrawals" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "roblox_id" BIGINT NOT NULL,
    "gems" BIGINT NOT NULL DEFAULT 0,
    "pets" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'escrowed',
    "delivered_gems" BIGINT,
    "delivered_pets" JSONB,
    "reason" TEXT,
    "game_id" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "withdrawals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "roblox_games_guild_id_idx" ON "roblox_games"("guild_id");

-- CreateIndex
CREATE INDEX "roblox_game_nonces_expires_at_idx" ON "roblox_game_nonces"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "pet_species_guild_id_key_key" ON "pet_species"("guild_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "pet_movements_idempotency_key_key" ON "pet_movements"("idempotency_key");

-- CreateIndex
CREATE INDEX "pet_movements_guild_id_owner_id_id_idx" ON "pet_movements"("guild_id", "owner_id", "id" DESC);

-- CreateIndex
CREATE INDEX "game_deposits_guild_id_created_at_idx" ON "game_deposits"("guild_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "game_deposits_guild_id_user_id_created_at_idx" ON "game_deposits"("guild_id", "user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "withdrawals_guild_id_status_created_at_idx" ON "withdrawals"("guild_id", "status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "withdrawals_guild_id_roblox_id_status_idx" ON "withdrawals"("guild_id", "roblox_id", "status");

-- CreateIndex
CREATE INDEX "withdrawals_guild_id_user_id_created_at_idx" ON "withdrawals"("guild_id", "user_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "trade_settings" ADD CONSTRAINT "trade_settings_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roblox_games" ADD CONSTRAINT "roblox_games_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roblox_game_nonces" ADD CONSTRAINT "roblox_game_nonces_game_id_fkey" FOREIGN KEY ("game_id") REFERENCES "roblox_games"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pet_species" ADD CONSTRAINT "pet_species_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pet_holdings" ADD CONSTRAINT "pet_holdings_species_id_fkey" FOREIGN KEY ("species_id") REFERENCES "pet_species"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "game_deposits" ADD CONSTRAINT "game_deposits_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express.
ALTER TABLE "pet_holdings" ADD CONSTRAINT "pet_holdings_quantity_nonnegative" CHECK ("quantity" >= 0);
ALTER TABLE "pet_holdings" ADD CONSTRAINT "pet_holdings_variant" CHECK ("variant" IN ('normal', 'shiny', 'rainbow', 'shiny_rainbow'));
ALTER TABLE "pet_movements" ADD CONSTRAINT "pet_movements_delta_nonzero" CHECK ("delta" <> 0);
ALTER TABLE "pet_species" ADD CONSTRAINT "pet_species_rarity" CHECK ("rarity" IN ('common', 'uncommon', 'rare', 'epic', 'legendary', 'mythic'));
ALTER TABLE "pet_species" ADD CONSTRAINT "pet_species_value_nonnegative" CHECK ("value" >= 0);
ALTER TABLE "game_deposits" ADD CONSTRAINT "game_deposits_status" CHECK ("status" IN ('pending', 'credited', 'refused'));
ALTER TABLE "game_deposits" ADD CONSTRAINT "game_deposits_gems_nonnegative" CHECK ("gems" >= 0);
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_status" CHECK ("status" IN ('escrowed', 'delivered', 'partial', 'cancelled', 'expired', 'failed', 'refused'));
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_gems_nonnegative" CHECK ("gems" >= 0);
ALTER TABLE "trade_settings" ADD CONSTRAINT "trade_settings_timeout_positive" CHECK ("withdraw_timeout_seconds" > 0);
