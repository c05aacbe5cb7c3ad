-- Ledger stats of finished UTC hours (activities/ledger/hour-volume.ts): the stats summed today's postings
-- live on each call (380–560 ms at ~11,000 entries a day); a finished hour's sums never change, so they are
-- computed once and read back, leaving only the current hour to sum. ledger_hours_cached marks an hour as
-- stored, also one with no entries (which has no ledger_hour_volume rows).
-- CreateTable
CREATE TABLE "ledger_hour_volume" (
    "guild_id" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "type" TEXT NOT NULL,
    "asset" TEXT NOT NULL,
    "entries" INTEGER NOT NULL,
    "volume" DECIMAL(39,0) NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_hour_volume_pkey" PRIMARY KEY ("guild_id","hour","type","asset")
);

-- CreateTable
CREATE TABLE "ledger_hours_cached" (
    "guild_id" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_hours_cached_pkey" PRIMARY KEY ("guild_id","hour")
);

-- AddForeignKey
ALTER TABLE "ledger_hour_volume" ADD CONSTRAINT "ledger_hour_volume_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_hours_cached" ADD CONSTRAINT "ledger_hours_cached_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;
