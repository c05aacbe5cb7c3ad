-- CreateTable
CREATE TABLE "ticket_settings" (
    "guild_id" TEXT NOT NULL,
    "transcript_channel_id" TEXT,
    "close_delay_seconds" INTEGER NOT NULL DEFAULT 60,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ticket_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "ticket_types" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "emoji" TEXT,
    "category_id" TEXT,
    "staff_role_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "questions" JSONB NOT NULL DEFAULT '[]',
    "open_limit" INTEGER NOT NULL DEFAULT 1,
    "welcome" TEXT,
    "idle_seconds" INTEGER NOT NULL DEFAULT 172800,
    "grace_seconds" INTEGER NOT NULL DEFAULT 86400,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_types_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tickets" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "type_id" TEXT NOT NULL,
    "opener_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "channel_id" TEXT,
    "claimed_by" TEXT,
    "answers" JSONB NOT NULL DEFAULT '[]',
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "first_response_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "closed_by" TEXT,
    "close_reason" TEXT,
    "rating" INTEGER,
    "workflow_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tickets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ticket_types_guild_id_name_key" ON "ticket_types"("guild_id", "name");

-- CreateIndex
CREATE INDEX "tickets_guild_id_created_at_idx" ON "tickets"("guild_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "tickets_channel_id_idx" ON "tickets"("channel_id");

-- CreateIndex
CREATE UNIQUE INDEX "tickets_guild_id_type_id_opener_id_number_key" ON "tickets"("guild_id", "type_id", "opener_id", "number");

-- AddForeignKey
ALTER TABLE "ticket_settings" ADD CONSTRAINT "ticket_settings_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_types" ADD CONSTRAINT "ticket_types_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_type_id_fkey" FOREIGN KEY ("type_id") REFERENCES "ticket_types"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- What the schema cannot say: a rating is 1–5, a member may have 1–25 open tickets of a type.
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_rating_range" CHECK ("rating" BETWEEN 1 AND 5);
ALTER TABLE "ticket_types" ADD CONSTRAINT "ticket_types_open_limit_range" CHECK ("open_limit" BETWEEN 1 AND 25);
