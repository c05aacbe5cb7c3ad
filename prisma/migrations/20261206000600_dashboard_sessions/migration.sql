-- CreateTable
CREATE TABLE "dashboard_sessions" (
    "id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "global_name" TEXT,
    "avatar" TEXT,
    "discord_guilds" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_reason" TEXT,

    CONSTRAINT "dashboard_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dashboard_refresh_tokens" (
    "id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "rotated_at" TIMESTAMPTZ(3),

    CONSTRAINT "dashboard_refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dashboard_sessions_user_id_idx" ON "dashboard_sessions"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "dashboard_refresh_tokens_token_hash_key" ON "dashboard_refresh_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "dashboard_refresh_tokens_family_id_idx" ON "dashboard_refresh_tokens"("family_id");

-- AddForeignKey
ALTER TABLE "dashboard_refresh_tokens" ADD CONSTRAINT "dashboard_refresh_tokens_family_id_fkey" FOREIGN KEY ("family_id") REFERENCES "dashboard_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A family ends by logout or by the reuse of a rotated refresh token, nothing else.
ALTER TABLE "dashboard_sessions" ADD CONSTRAINT "dashboard_sessions_revoked_reason_check" CHECK ("revoked_reason" IN ('logout', 'reuse'));
