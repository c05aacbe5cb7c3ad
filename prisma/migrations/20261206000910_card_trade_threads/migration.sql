-- The confirmation deadline of an accepted card trade, in days (workflows/card-trade.ts reminds both parties
-- once and tells the admin log when it passes).
ALTER TABLE "card_settings" ADD COLUMN "confirm_days" INTEGER NOT NULL DEFAULT 14;
ALTER TABLE "card_settings" ADD CONSTRAINT "card_settings_confirm_days_check" CHECK ("confirm_days" BETWEEN 1 AND 365);

-- Trade notices now go through card_notifications (activities/notify), one row per key for every channel.
DROP TABLE "card_trade_notices";
