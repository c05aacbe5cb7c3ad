-- CreateTable
CREATE TABLE "pad_settings" (
    "guild_id" TEXT NOT NULL,
    "pad_count" INTEGER NOT NULL DEFAULT 4,
    "sessions_channel_id" TEXT,
    "host_role_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "training_max_seconds" INTEGER NOT NULL DEFAULT 7200,
    "tryout_max_seconds" INTEGER NOT NULL DEFAULT 3600,
    "reminder_lead_seconds" INTEGER NOT NULL DEFAULT 600,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pad_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "pad_sessions" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "pad" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "host_id" TEXT NOT NULL,
    "description" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "ended_by" TEXT,
    "end_reason" TEXT,
    "announcement_channel_id" TEXT,
    "announcement_message_id" TEXT,
    "workflow_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pad_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "pad_sessions_guild_id_created_at_idx" ON "pad_sessions"("guild_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "pad_sessions_guild_id_host_id_idx" ON "pad_sessions"("guild_id", "host_id");

-- AddForeignKey
ALTER TABLE "pad_settings" ADD CONSTRAINT "pad_settings_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pad_sessions" ADD CONSTRAINT "pad_sessions_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express: pads 1..9, sensible durations, known types and end reasons, and at
-- most one open session per pad (the flow id `pad:{guild}:{pad}` decides the race; this is the backstop).
ALTER TABLE "pad_settings" ADD CONSTRAINT "pad_settings_pad_count_check" CHECK ("pad_count" BETWEEN 1 AND 9);
ALTER TABLE "pad_settings" ADD CONSTRAINT "pad_settings_durations_check"
    CHECK ("training_max_seconds" > 0 AND "tryout_max_seconds" > 0 AND "reminder_lead_seconds" >= 0);
ALTER TABLE "pad_sessions" ADD CONSTRAINT "pad_sessions_pad_check" CHECK ("pad" BETWEEN 1 AND 9);
ALTER TABLE "pad_sessions" ADD CONSTRAINT "pad_sessions_type_check" CHECK ("type" IN ('training', 'tryout'));
ALTER TABLE "pad_sessions" ADD CONSTRAINT "pad_sessions_end_check"
    CHECK (("ended_at" IS NULL AND "end_reason" IS NULL) OR ("ended_at" IS NOT NULL AND "end_reason" IN ('host', 'admin', 'max_duration', 'abandoned')));
CREATE UNIQUE INDEX "pad_sessions_one_open_per_pad" ON "pad_sessions"("guild_id", "pad") WHERE "ended_at" IS NULL;
