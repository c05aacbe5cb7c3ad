-- CreateTable
CREATE TABLE "verification_settings" (
    "guild_id" TEXT NOT NULL,
    "nickname_template" TEXT DEFAULT '{roblox-name}',
    "phrase_words" INTEGER NOT NULL DEFAULT 16,
    "expiry_seconds" INTEGER NOT NULL DEFAULT 900,
    "checks_per_minute" INTEGER NOT NULL DEFAULT 3,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "verification_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "roblox_links" (
    "guild_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "roblox_id" BIGINT NOT NULL,
    "roblox_name" TEXT NOT NULL,
    "roblox_display_name" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "linked_by" TEXT,
    "verified_at" TIMESTAMPTZ(3) NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "nickname_set" TEXT,
    "nickname_before" TEXT,
    "replaced" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "roblox_links_pkey" PRIMARY KEY ("guild_id","user_id")
);

-- CreateTable
CREATE TABLE "verifications" (
    "run_id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "roblox_id" BIGINT,
    "roblox_name" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "verifications_pkey" PRIMARY KEY ("run_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "roblox_links_guild_id_roblox_id_key" ON "roblox_links"("guild_id", "roblox_id");

-- CreateIndex
CREATE INDEX "verifications_guild_id_user_id_created_at_idx" ON "verifications"("guild_id", "user_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "verification_settings" ADD CONSTRAINT "verification_settings_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roblox_links" ADD CONSTRAINT "roblox_links_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express.
ALTER TABLE "verification_settings" ADD CONSTRAINT "verification_settings_values_check" CHECK (
    "phrase_words" BETWEEN 4 AND 32 AND "expiry_seconds" BETWEEN 5 AND 86400 AND "checks_per_minute" BETWEEN 1 AND 60
    AND ("nickname_template" IS NULL OR length("nickname_template") BETWEEN 1 AND 100));
ALTER TABLE "roblox_links" ADD CONSTRAINT "roblox_links_values_check" CHECK (
    "roblox_id" > 0 AND "method" IN ('profile_phrase', 'admin') AND ("method" = 'profile_phrase' OR "linked_by" IS NOT NULL));
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_values_check" CHECK (
    "method" IN ('profile_phrase', 'admin') AND "status" IN ('pending', 'verified', 'failed', 'expired', 'cancelled')
    AND (("status" = 'pending') = ("finished_at" IS NULL)));
