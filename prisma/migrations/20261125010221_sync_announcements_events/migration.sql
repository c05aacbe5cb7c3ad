-- CreateTable
CREATE TABLE "sync_messages" (
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "channel_id" TEXT,
    "message_id" TEXT,
    "state" TEXT NOT NULL DEFAULT 'creating',
    "content_hash" TEXT,
    "creates" INTEGER NOT NULL DEFAULT 0,
    "edits" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "synced_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sync_messages_pkey" PRIMARY KEY ("entity_type","entity_id")
);

-- CreateTable
CREATE TABLE "sync_channels" (
    "guild_id" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "options" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_channels_pkey" PRIMARY KEY ("guild_id","entity_type")
);

-- CreateTable
CREATE TABLE "announcements" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "colour" INTEGER,
    "image_url" TEXT,
    "ping_role_id" TEXT,
    "pin" BOOLEAN NOT NULL DEFAULT false,
    "send_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL DEFAULT 'draft',
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "sent_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "announcements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sync_messages_guild_id_state_idx" ON "sync_messages"("guild_id", "state");

-- CreateIndex
CREATE INDEX "announcements_guild_id_created_at_idx" ON "announcements"("guild_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "events_guild_id_id_idx" ON "events"("guild_id", "id");

-- AddForeignKey
ALTER TABLE "sync_messages" ADD CONSTRAINT "sync_messages_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_channels" ADD CONSTRAINT "sync_channels_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express.
ALTER TABLE "sync_messages" ADD CONSTRAINT "sync_messages_values_check" CHECK (
    "state" IN ('creating', 'synced', 'pending', 'orphaned', 'deleted') AND "creates" >= 0 AND "edits" >= 0);
ALTER TABLE "sync_channels" ADD CONSTRAINT "sync_channels_values_check" CHECK ("entity_type" ~ '^[a-z][a-z_]{0,31}$');
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_values_check" CHECK (
    "status" IN ('draft', 'scheduled', 'sent', 'cancelled', 'deleted')
    AND length("title") BETWEEN 1 AND 256 AND length("body") BETWEEN 1 AND 4000
    AND ("colour" IS NULL OR "colour" BETWEEN 0 AND 16777215)
    AND (("status" = 'sent') <= ("sent_at" IS NOT NULL)) AND (("status" = 'cancelled') <= ("cancelled_at" IS NOT NULL)));
CREATE INDEX "announcements_scheduled_idx" ON "announcements"("guild_id", "send_at") WHERE "status" = 'scheduled';

-- The live-events feed. gf_emit_event appends one row and notifies `gf_events` with "{guild} {id}" (the
-- notification is delivered at commit, so a listener reads the row). The table is bounded: every 1000th
-- event deletes the rows more than 100000 events old (amortised: the ledger's hot path pays one insert
-- and one notify). Other features emit with `PERFORM gf_emit_event(guild, kind, data)` from their own
-- triggers (tasks, claims, orders).
CREATE FUNCTION "gf_emit_event"(p_guild text, p_kind text, p_data jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO events (guild_id, kind, data) VALUES (p_guild, p_kind, p_data) RETURNING id INTO v_id;
    PERFORM pg_notify('gf_events', p_guild || ' ' || v_id);
    IF v_id % 1000 = 0 THEN
        DELETE FROM events WHERE id <= v_id - 100000;
    END IF;
END
$fn$;

-- Balances: one event per ledger entry written or changing status (a hold posted or voided); the API
-- adds the postings (immutable) when it streams the event. Checkpoints (the archive) are not changes.
CREATE FUNCTION "gf_ledger_entry_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'balance', jsonb_build_object('entryId', NEW.id::text, 'type', NEW.type, 'status', NEW.status));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "ledger_entries_event" AFTER INSERT ON "ledger_entries"
    FOR EACH ROW WHEN (NEW.type <> 'checkpoint') EXECUTE FUNCTION gf_ledger_entry_event();
CREATE TRIGGER "ledger_entries_status_event" AFTER UPDATE OF "status" ON "ledger_entries"
    FOR EACH ROW WHEN (NEW.type <> 'checkpoint' AND OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION gf_ledger_entry_event();

-- Shop items (created, edited, stock taken or returned, removed) and purchases (created, status changes).
CREATE FUNCTION "gf_shop_item_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'shop_item', jsonb_build_object(
        'itemId', NEW.id, 'op', lower(TG_OP), 'name', NEW.name, 'price', NEW.price::text, 'assetCode', NEW.asset_code,
        'stock', NEW.stock, 'active', NEW.active, 'removed', NEW.deleted_at IS NOT NULL));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "shop_items_event" AFTER INSERT OR UPDATE ON "shop_items"
    FOR EACH ROW EXECUTE FUNCTION gf_shop_item_event();

CREATE FUNCTION "gf_purchase_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'purchase', jsonb_build_object(
        'purchaseId', NEW.id, 'userId', NEW.user_id, 'itemId', NEW.item_id, 'quantity', NEW.quantity,
        'total', NEW.total::text, 'assetCode', NEW.asset_code, 'status', NEW.status));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "shop_purchases_event" AFTER INSERT ON "shop_purchases"
    FOR EACH ROW EXECUTE FUNCTION gf_purchase_event();
CREATE TRIGGER "shop_purchases_status_event" AFTER UPDATE OF "status" ON "shop_purchases"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION gf_purchase_event();

-- Sync states (the message of an entity created, re-created, pending, orphaned, deleted).
CREATE FUNCTION "gf_sync_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'sync', jsonb_build_object(
        'entityType', NEW.entity_type, 'entityId', NEW.entity_id, 'state', NEW.state, 'channelId', NEW.channel_id,
        'messageId', NEW.message_id, 'lastError', NEW.last_error));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "sync_messages_event" AFTER INSERT ON "sync_messages"
    FOR EACH ROW EXECUTE FUNCTION gf_sync_event();
CREATE TRIGGER "sync_messages_state_event" AFTER UPDATE OF "state", "message_id", "channel_id" ON "sync_messages"
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.message_id IS DISTINCT FROM NEW.message_id OR OLD.channel_id IS DISTINCT FROM NEW.channel_id)
    EXECUTE FUNCTION gf_sync_event();
