-- CreateTable
CREATE TABLE "roblox_group_binds" (
    "id" BIGSERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "group_id" BIGINT NOT NULL,
    "role_id" TEXT NOT NULL,
    "min_rank" INTEGER NOT NULL,
    "max_rank" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "roblox_group_binds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "roblox_group_binds_guild_id_group_id_role_id_min_rank_max_r_key" ON "roblox_group_binds"("guild_id", "group_id", "role_id", "min_rank", "max_rank");

-- AddForeignKey
ALTER TABLE "roblox_group_binds" ADD CONSTRAINT "roblox_group_binds_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Roblox group ranks are 1..255 (0 is a guest, who is not in the group); a range is never empty.
ALTER TABLE "roblox_group_binds" ADD CONSTRAINT "roblox_group_binds_ranks_check" CHECK ("min_rank" BETWEEN 1 AND 255 AND "max_rank" BETWEEN 1 AND 255 AND "min_rank" <= "max_rank");
ALTER TABLE "roblox_group_binds" ADD CONSTRAINT "roblox_group_binds_group_id_check" CHECK ("group_id" > 0);
