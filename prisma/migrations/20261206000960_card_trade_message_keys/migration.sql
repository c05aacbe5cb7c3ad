-- A client's key for a posted trade message: a retry after an error answer (Temporal down) finds the
-- message it stored instead of storing it again. NULLs are distinct, so messages without a key never clash.
ALTER TABLE "card_trade_messages" ADD COLUMN "idempotency_key" TEXT;
CREATE UNIQUE INDEX "card_trade_messages_proposal_id_author_id_idempotency_key_key" ON "card_trade_messages" ("proposal_id", "author_id", "idempotency_key");
