-- CreateEnum
CREATE TYPE "PermissionLevel" AS ENUM ('user', 'mod', 'admin', 'owner');

-- CreateTable
CREATE TABLE "guilds" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "guilds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "guild_settings" (
    "guild_id" TEXT NOT NULL,
    "admin_role_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "mod_role_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "verified_role_id" TEXT,
    "unverified_role_id" TEXT,
    "admin_log_channel_id" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "guild_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "members" (
    "guild_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "username" TEXT,
    "display_name" TEXT,
    "is_bot" BOOLEAN NOT NULL DEFAULT false,
    "joined_at" TIMESTAMPTZ(3),
    "left_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "members_pkey" PRIMARY KEY ("guild_id","user_id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "level" "PermissionLevel" NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_events_guild_id_created_at_idx" ON "audit_events"("guild_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_secret_hash_key" ON "api_tokens"("secret_hash");

-- CreateIndex
CREATE INDEX "api_tokens_guild_id_idx" ON "api_tokens"("guild_id");

-- AddForeignKey
ALTER TABLE "guild_settings" ADD CONSTRAINT "guild_settings_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "members" ADD CONSTRAINT "members_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express in the schema (hand-written; Prisma ignores CHECK constraints when
-- diffing, so they cause no drift). Discord ids are snowflakes: unsigned 64-bit integers in decimal.

-- AddCheckConstraints
ALTER TABLE "guilds"
    ADD CONSTRAINT "guilds_id_snowflake_check" CHECK ("id" ~ '^[0-9]{1,20}$'),
    ADD CONSTRAINT "guilds_owner_id_snowflake_check" CHECK ("owner_id" ~ '^[0-9]{1,20}$');

ALTER TABLE "guild_settings"
    ADD CONSTRAINT "guild_settings_admin_role_ids_check" CHECK ("admin_role_ids" IS NOT NULL AND array_to_string("admin_role_ids", ',', '?') ~ '^([0-9]{1,20}(,[0-9]{1,20})*)?$'),
    ADD CONSTRAINT "guild_settings_mod_role_ids_check" CHECK ("mod_role_ids" IS NOT NULL AND array_to_string("mod_role_ids", ',', '?') ~ '^([0-9]{1,20}(,[0-9]{1,20})*)?$'),
    ADD CONSTRAINT "guild_settings_verified_role_id_snowflake_check" CHECK ("verified_role_id" ~ '^[0-9]{1,20}$'),
    ADD CONSTRAINT "guild_settings_unverified_role_id_snowflake_check" CHECK ("unverified_role_id" ~ '^[0-9]{1,20}$'),
    ADD CONSTRAINT "guild_settings_admin_log_channel_id_snowflake_check" CHECK ("admin_log_channel_id" ~ '^[0-9]{1,20}$'),
    -- Discord locales: "en-US", "fr", "es-419".
    ADD CONSTRAINT "guild_settings_locale_check" CHECK ("locale" ~ '^[a-z]{2}(-[A-Z0-9]{2,3})?$');

ALTER TABLE "members"
    ADD CONSTRAINT "members_user_id_snowflake_check" CHECK ("user_id" ~ '^[0-9]{1,20}$');

ALTER TABLE "audit_events"
    ADD CONSTRAINT "audit_events_actor_type_check" CHECK ("actor_type" IN ('user', 'api_token', 'system')),
    ADD CONSTRAINT "audit_events_action_check" CHECK ("action" <> ''),
    ADD CONSTRAINT "audit_events_data_object_check" CHECK (jsonb_typeof("data") = 'object');

ALTER TABLE "api_tokens"
    -- Only the sha256 of a token's secret is stored, as lowercase hex.
    ADD CONSTRAINT "api_tokens_secret_hash_sha256_check" CHECK ("secret_hash" ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT "api_tokens_id_check" CHECK ("id" ~ '^[A-Za-z0-9_-]{4,64}$'),
    ADD CONSTRAINT "api_tokens_name_check" CHECK (btrim("name") <> '');
