-- AlterTable
ALTER TABLE "roblox_games" ADD COLUMN     "max_daily_deposit_gems" BIGINT,
ADD COLUMN     "max_daily_deposit_pets" INTEGER;

-- CreateIndex
CREATE INDEX "game_deposits_game_id_created_at_idx" ON "game_deposits"("game_id", "created_at");

-- A checked deposit is 'accepted' (counted against its game's daily cap) until it is credited.
ALTER TABLE "game_deposits" DROP CONSTRAINT "game_deposits_status";
ALTER TABLE "game_deposits" ADD CONSTRAINT "game_deposits_status" CHECK ("status" IN ('pending', 'accepted', 'credited', 'refused'));
