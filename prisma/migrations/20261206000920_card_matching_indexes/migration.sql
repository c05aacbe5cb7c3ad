-- Covering indexes for two-way matching (activities/cards/matching.ts): every row it reads on the other
-- members' side comes from an index alone, grouped by printing or card. They replace the single-column
-- indexes with the same leading column, which they serve as well.
DROP INDEX "card_collection_items_printing_id_idx";
DROP INDEX "card_wants_printing_id_idx";
DROP INDEX "card_wants_oracle_id_idx";

CREATE INDEX "card_collection_items_match_idx" ON "card_collection_items"("printing_id", "id", "user_id", "quantity", "reserved", "condition", "finish");
CREATE INDEX "card_haves_match_idx" ON "card_haves"("collection_item_id", "user_id", "quantity");
CREATE INDEX "card_wants_printing_match_idx" ON "card_wants"("printing_id", "any_printing", "user_id", "id", "quantity", "min_condition", "foil_required", "max_price_cents", "priority");
CREATE INDEX "card_wants_oracle_match_idx" ON "card_wants"("oracle_id", "any_printing", "user_id", "id", "quantity", "min_condition", "foil_required", "max_price_cents", "priority");
