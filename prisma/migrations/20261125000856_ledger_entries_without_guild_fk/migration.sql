-- Every movement inserts a ledger entry, and this foreign key made each insert KEY SHARE-lock the guild's
-- row: with concurrent movements in one guild, each such lock creates a new MultiXact on that row
-- (measured: 7–8 lockers at 8 concurrent transfers). Movements only happen in a guild that has assets,
-- which do reference the guild; a deleted guild now takes its entries (and, through their foreign keys,
-- their postings and holds) with it by the trigger below.

-- DropForeignKey
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_guild_id_fkey";

CREATE FUNCTION "ledger_delete_guild_entries"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM ledger_entries WHERE guild_id = OLD.id;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER "ledger_delete_guild_entries" AFTER DELETE ON "guilds"
    FOR EACH ROW EXECUTE FUNCTION "ledger_delete_guild_entries"();
