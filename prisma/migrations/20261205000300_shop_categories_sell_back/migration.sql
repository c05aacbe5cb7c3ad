-- AlterTable
ALTER TABLE "shop_items" ADD COLUMN     "category" TEXT,
ADD COLUMN     "sell_back_percent" INTEGER,
ADD COLUMN     "usable" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "shop_items_guild_id_category_idx" ON "shop_items"("guild_id", "category");

-- A sell-back share is a percentage of the price.
ALTER TABLE "shop_items" ADD CONSTRAINT "shop_items_sell_back_percent_check" CHECK ("sell_back_percent" IS NULL OR "sell_back_percent" BETWEEN 0 AND 100);
