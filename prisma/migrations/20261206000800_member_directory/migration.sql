-- AlterTable
ALTER TABLE "members" ADD COLUMN     "avatar_url" TEXT;

-- CreateTable
CREATE TABLE "bot_shard_status" (
    "shard_count" INTEGER NOT NULL,
    "shard_id" INTEGER NOT NULL,
    "connected" BOOLEAN NOT NULL,
    "ping_ms" INTEGER,
    "guilds" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "bot_shard_status_pkey" PRIMARY KEY ("shard_count","shard_id")
);

-- The dashboard's member list: current members in name order (the key `lower(coalesce(display_name, username,
-- user_id))`, then user_id), paged by that key (api/routes/members.ts). Partial: members who left are not listed.
CREATE INDEX "members_guild_name_idx" ON "members" ("guild_id", lower(coalesce("display_name", "username", "user_id")), "user_id") WHERE "left_at" IS NULL;

-- The dashboard's other lists (bench/dashboard.ts): each page read straight from an index in the list's own
-- order instead of sorting the guild's rows. Audit events page by id; task claims without a status filter by
-- (created_at, id); sync messages by updated_at.
CREATE INDEX "audit_events_guild_id_id_idx" ON "audit_events"("guild_id", "id" DESC);
CREATE INDEX "task_claims_guild_id_created_at_id_idx" ON "task_claims"("guild_id", "created_at" DESC, "id" DESC);
CREATE INDEX "sync_messages_guild_id_updated_at_idx" ON "sync_messages"("guild_id", "updated_at" DESC);
