-- AlterTable
ALTER TABLE "code_shop_settings" ADD COLUMN     "orders_per_member_per_hour" INTEGER,
ADD COLUMN     "redeliveries_per_day" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "topups_per_member_per_hour" INTEGER;

-- CreateTable
CREATE TABLE "code_order_redeliveries" (
    "id" BIGSERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "code_order_redeliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "code_order_redeliveries_guild_id_user_id_created_at_idx" ON "code_order_redeliveries"("guild_id", "user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "code_order_redeliveries_order_id_idx" ON "code_order_redeliveries"("order_id");

-- AddForeignKey
ALTER TABLE "code_order_redeliveries" ADD CONSTRAINT "code_order_redeliveries_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "code_order_redeliveries" ADD CONSTRAINT "code_order_redeliveries_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "code_orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Limits are counts: negative values mean nothing.
ALTER TABLE "code_shop_settings" ADD CONSTRAINT "code_shop_settings_member_limits_check"
  CHECK (("orders_per_member_per_hour" IS NULL OR "orders_per_member_per_hour" >= 0)
     AND ("topups_per_member_per_hour" IS NULL OR "topups_per_member_per_hour" >= 0)
     AND "redeliveries_per_day" >= 0);
