-- The dashboard's lists that missed p99 < 100 ms on a guild of 10,000 members and 1,000,000 entries
-- (bench/dashboard.ts).

-- The ledger list filtered by type: each type's newest entries read from the index (activities/ledger/ledger.ts
-- listEntries) instead of walking every newer entry of the guild and of other guilds.
CREATE INDEX "ledger_entries_guild_id_type_id_idx" ON "ledger_entries"("guild_id", "type", "id" DESC);

-- The member search matches a part of a name (ILIKE '%…%', lib/member-list.ts): trigram indexes find the few
-- matches instead of reading every member. pg_trgm ships with PostgreSQL's contrib (and embedded-postgres)
-- and is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "members_display_name_idx" ON "members" USING GIN ("display_name" gin_trgm_ops);
CREATE INDEX "members_username_idx" ON "members" USING GIN ("username" gin_trgm_ops);
