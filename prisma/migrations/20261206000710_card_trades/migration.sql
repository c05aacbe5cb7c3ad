-- CreateTable
CREATE TABLE "card_trade_proposals" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "proposer_id" TEXT NOT NULL,
    "recipient_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "offerer_id" TEXT NOT NULL,
    "turn_user_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'proposed',
    "cash_cents" INTEGER NOT NULL DEFAULT 0,
    "cash_payer_id" TEXT,
    "message" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "thread_id" TEXT,
    "proposer_received_at" TIMESTAMPTZ(3),
    "recipient_received_at" TIMESTAMPTZ(3),
    "ended_reason" TEXT,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_trade_proposals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_trade_lines" (
    "id" BIGSERIAL NOT NULL,
    "proposal_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "from_user_id" TEXT NOT NULL,
    "collection_item_id" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "card_trade_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_trade_reservations" (
    "id" BIGSERIAL NOT NULL,
    "proposal_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "collection_item_id" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "released_at" TIMESTAMPTZ(3),
    "consumed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_trade_reservations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_trade_ratings" (
    "id" BIGSERIAL NOT NULL,
    "proposal_id" TEXT NOT NULL,
    "rater_id" TEXT NOT NULL,
    "ratee_id" TEXT NOT NULL,
    "stars" INTEGER NOT NULL,
    "comment" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_trade_ratings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_trade_disputes" (
    "proposal_id" TEXT NOT NULL,
    "opened_by" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "outcome" TEXT,
    "loser_id" TEXT,
    "resolved_by" TEXT,
    "note" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_trade_disputes_pkey" PRIMARY KEY ("proposal_id")
);

-- CreateTable
CREATE TABLE "card_trade_messages" (
    "id" BIGSERIAL NOT NULL,
    "proposal_id" TEXT NOT NULL,
    "author_id" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_trade_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_trade_notices" (
    "key" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_trade_notices_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "card_trade_proposals_guild_id_status_idx" ON "card_trade_proposals"("guild_id", "status");

-- CreateIndex
CREATE INDEX "card_trade_proposals_proposer_id_idx" ON "card_trade_proposals"("proposer_id");

-- CreateIndex
CREATE INDEX "card_trade_proposals_recipient_id_idx" ON "card_trade_proposals"("recipient_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_trade_lines_proposal_id_version_collection_item_id_key" ON "card_trade_lines"("proposal_id", "version", "collection_item_id");

-- CreateIndex
CREATE INDEX "card_trade_reservations_collection_item_id_idx" ON "card_trade_reservations"("collection_item_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_trade_reservations_proposal_id_version_collection_item_key" ON "card_trade_reservations"("proposal_id", "version", "collection_item_id");

-- CreateIndex
CREATE INDEX "card_trade_ratings_ratee_id_idx" ON "card_trade_ratings"("ratee_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_trade_ratings_proposal_id_rater_id_key" ON "card_trade_ratings"("proposal_id", "rater_id");

-- CreateIndex
CREATE INDEX "card_trade_disputes_loser_id_idx" ON "card_trade_disputes"("loser_id");

-- CreateIndex
CREATE INDEX "card_trade_messages_proposal_id_id_idx" ON "card_trade_messages"("proposal_id", "id");

-- AddForeignKey
ALTER TABLE "card_trade_lines" ADD CONSTRAINT "card_trade_lines_proposal_id_fkey" FOREIGN KEY ("proposal_id") REFERENCES "card_trade_proposals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "card_trade_reservations" ADD CONSTRAINT "card_trade_reservations_proposal_id_fkey" FOREIGN KEY ("proposal_id") REFERENCES "card_trade_proposals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "card_trade_ratings" ADD CONSTRAINT "card_trade_ratings_proposal_id_fkey" FOREIGN KEY ("proposal_id") REFERENCES "card_trade_proposals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "card_trade_disputes" ADD CONSTRAINT "card_trade_disputes_proposal_id_fkey" FOREIGN KEY ("proposal_id") REFERENCES "card_trade_proposals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "card_trade_messages" ADD CONSTRAINT "card_trade_messages_proposal_id_fkey" FOREIGN KEY ("proposal_id") REFERENCES "card_trade_proposals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express.
ALTER TABLE "card_trade_proposals"
    ADD CONSTRAINT "card_trade_proposals_status_check" CHECK ("status" IN ('proposed', 'accepted', 'completed', 'declined', 'cancelled', 'expired', 'disputed', 'refunded')),
    ADD CONSTRAINT "card_trade_proposals_parties_check" CHECK ("proposer_id" <> "recipient_id"),
    ADD CONSTRAINT "card_trade_proposals_version_check" CHECK ("version" >= 1),
    ADD CONSTRAINT "card_trade_proposals_cash_check" CHECK ("cash_cents" >= 0 AND ("cash_cents" = 0 OR "cash_payer_id" IN ("proposer_id", "recipient_id")));
ALTER TABLE "card_trade_lines"
    ADD CONSTRAINT "card_trade_lines_quantity_check" CHECK ("quantity" >= 1);
ALTER TABLE "card_trade_reservations"
    ADD CONSTRAINT "card_trade_reservations_quantity_check" CHECK ("quantity" >= 1),
    ADD CONSTRAINT "card_trade_reservations_once_check" CHECK ("released_at" IS NULL OR "consumed_at" IS NULL);
ALTER TABLE "card_trade_ratings"
    ADD CONSTRAINT "card_trade_ratings_stars_check" CHECK ("stars" BETWEEN 1 AND 5),
    ADD CONSTRAINT "card_trade_ratings_parties_check" CHECK ("rater_id" <> "ratee_id");
ALTER TABLE "card_trade_disputes"
    ADD CONSTRAINT "card_trade_disputes_status_check" CHECK ("status" IN ('open', 'resolved')),
    ADD CONSTRAINT "card_trade_disputes_outcome_check" CHECK ("outcome" IS NULL OR "outcome" IN ('complete', 'cancel'));
