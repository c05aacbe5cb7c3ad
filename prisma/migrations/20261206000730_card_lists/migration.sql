-- CreateTable
CREATE TABLE "card_alert_notices" (
    "want_id" BIGINT NOT NULL,
    "have_id" BIGINT NOT NULL,
    "user_id" TEXT NOT NULL,
    "batch_key" TEXT NOT NULL,
    "told_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_alert_notices_pkey" PRIMARY KEY ("want_id","have_id")
);

-- CreateIndex
CREATE INDEX "card_alert_notices_batch_key_idx" ON "card_alert_notices"("batch_key");

-- A notice goes with its want and its have.
ALTER TABLE "card_alert_notices"
    ADD CONSTRAINT "card_alert_notices_want_id_fkey" FOREIGN KEY ("want_id") REFERENCES "card_wants"("id") ON DELETE CASCADE,
    ADD CONSTRAINT "card_alert_notices_have_id_fkey" FOREIGN KEY ("have_id") REFERENCES "card_haves"("id") ON DELETE CASCADE;

-- Matching across every server two members share, and want alerts, look members up by user.
CREATE INDEX "members_user_id_idx" ON "members" ("user_id") WHERE "left_at" IS NULL;
