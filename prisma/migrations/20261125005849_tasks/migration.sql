-- CreateTable
CREATE TABLE "task_settings" (
    "guild_id" TEXT NOT NULL,
    "task_channel_id" TEXT,
    "review_channel_id" TEXT,
    "max_active_per_user" INTEGER NOT NULL DEFAULT 3,
    "member_proposals" BOOLEAN NOT NULL DEFAULT false,
    "auto_expire" BOOLEAN NOT NULL DEFAULT true,
    "reviewer_level" "PermissionLevel" NOT NULL DEFAULT 'admin',
    "revoke_window_seconds" INTEGER NOT NULL DEFAULT 604800,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" SERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "category" TEXT,
    "reward" BIGINT NOT NULL,
    "asset_code" TEXT NOT NULL DEFAULT 'currency',
    "role_id" TEXT,
    "claim_duration_seconds" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "max_claims" INTEGER,
    "proof_type" TEXT NOT NULL DEFAULT 'text',
    "assigned_user_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" TEXT NOT NULL DEFAULT 'active',
    "slots_taken" INTEGER NOT NULL DEFAULT 0,
    "completed_count" INTEGER NOT NULL DEFAULT 0,
    "expired_count" INTEGER NOT NULL DEFAULT 0,
    "message_channel_id" TEXT,
    "message_id" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_claims" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "task_id" INTEGER NOT NULL,
    "user_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'claimed',
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "proof_text" TEXT,
    "proof_urls" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "submissions" INTEGER NOT NULL DEFAULT 0,
    "submitted_at" TIMESTAMPTZ(3),
    "review_channel_id" TEXT,
    "review_message_id" TEXT,
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "reject_reason" TEXT,
    "award_failure" TEXT,
    "reward_paid" BIGINT,
    "award_key" TEXT,
    "role_granted" BOOLEAN NOT NULL DEFAULT false,
    "completed_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" TEXT,
    "revoke_reason" TEXT,
    "reversed_amount" BIGINT,
    "reversal_shortfall" BIGINT,
    "ended_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_claims_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tasks_guild_id_status_category_idx" ON "tasks"("guild_id", "status", "category");

-- CreateIndex
CREATE INDEX "task_claims_guild_id_user_id_status_idx" ON "task_claims"("guild_id", "user_id", "status");

-- CreateIndex
CREATE INDEX "task_claims_guild_id_status_created_at_idx" ON "task_claims"("guild_id", "status", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "task_claims_task_id_user_id_key" ON "task_claims"("task_id", "user_id");

-- AddForeignKey
ALTER TABLE "task_settings" ADD CONSTRAINT "task_settings_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_claims" ADD CONSTRAINT "task_claims_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_claims" ADD CONSTRAINT "task_claims_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express (issue 8).
ALTER TABLE "task_settings" ADD CONSTRAINT "task_settings_max_active_per_user_check" CHECK ("max_active_per_user" >= 1);
ALTER TABLE "task_settings" ADD CONSTRAINT "task_settings_revoke_window_check" CHECK ("revoke_window_seconds" >= 0);
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_reward_check" CHECK ("reward" >= 0);
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_claim_duration_check" CHECK ("claim_duration_seconds" > 0);
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_max_claims_check" CHECK ("max_claims" IS NULL OR "max_claims" >= 1);
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_slots_check" CHECK ("slots_taken" >= 0 AND ("max_claims" IS NULL OR "slots_taken" <= "max_claims"));
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_counters_check" CHECK ("completed_count" >= 0 AND "expired_count" >= 0);
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_status_check" CHECK ("status" IN ('proposed', 'active', 'closed', 'deleted'));
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_proof_type_check" CHECK ("proof_type" IN ('text', 'image', 'link'));
ALTER TABLE "task_claims" ADD CONSTRAINT "task_claims_status_check" CHECK ("status" IN ('claimed', 'submitted', 'completed', 'expired', 'abandoned', 'cancelled', 'revoked'));
ALTER TABLE "task_claims" ADD CONSTRAINT "task_claims_amounts_check" CHECK (("reward_paid" IS NULL OR "reward_paid" >= 0) AND ("reversed_amount" IS NULL OR "reversed_amount" >= 0) AND ("reversal_shortfall" IS NULL OR "reversal_shortfall" >= 0));
