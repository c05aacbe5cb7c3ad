-- CreateTable
CREATE TABLE "card_printings" (
    "id" TEXT NOT NULL,
    "oracle_id" TEXT,
    "name" TEXT NOT NULL,
    "set_code" TEXT NOT NULL,
    "set_name" TEXT NOT NULL,
    "collector_number" TEXT NOT NULL,
    "rarity" TEXT NOT NULL,
    "finishes" TEXT[],
    "lang" TEXT NOT NULL DEFAULT 'en',
    "image_url" TEXT,
    "prices_cents" JSONB NOT NULL DEFAULT '{}',
    "fetched_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_printings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_lookups" (
    "key" TEXT NOT NULL,
    "result" JSONB NOT NULL,
    "not_found" BOOLEAN NOT NULL DEFAULT false,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_lookups_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "card_traders" (
    "user_id" TEXT NOT NULL,
    "lists_public" BOOLEAN NOT NULL DEFAULT true,
    "notify_via" TEXT NOT NULL DEFAULT 'dm',
    "email" TEXT,
    "email_confirmed_at" TIMESTAMPTZ(3),
    "unsubscribe_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_traders_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "card_collection_items" (
    "id" BIGSERIAL NOT NULL,
    "user_id" TEXT NOT NULL,
    "printing_id" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "condition" TEXT NOT NULL,
    "finish" TEXT NOT NULL DEFAULT 'nonfoil',
    "language" TEXT NOT NULL DEFAULT 'en',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_collection_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_haves" (
    "id" BIGSERIAL NOT NULL,
    "user_id" TEXT NOT NULL,
    "collection_item_id" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "min_value_cents" INTEGER,
    "notes" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_haves_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_wants" (
    "id" BIGSERIAL NOT NULL,
    "user_id" TEXT NOT NULL,
    "printing_id" TEXT NOT NULL,
    "oracle_id" TEXT,
    "any_printing" BOOLEAN NOT NULL DEFAULT false,
    "quantity" INTEGER NOT NULL,
    "min_condition" TEXT NOT NULL DEFAULT 'LP',
    "foil_required" BOOLEAN NOT NULL DEFAULT false,
    "max_price_cents" INTEGER,
    "priority" INTEGER NOT NULL DEFAULT 3,
    "alert" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_wants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "card_settings" (
    "guild_id" TEXT NOT NULL,
    "proposal_expiry_hours" INTEGER NOT NULL DEFAULT 120,
    "reminder_hours" INTEGER NOT NULL DEFAULT 24,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "card_settings_pkey" PRIMARY KEY ("guild_id")
);

-- CreateIndex
CREATE INDEX "card_printings_oracle_id_idx" ON "card_printings"("oracle_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_printings_set_code_collector_number_lang_key" ON "card_printings"("set_code", "collector_number", "lang");

-- CreateIndex
CREATE UNIQUE INDEX "card_traders_unsubscribe_hash_key" ON "card_traders"("unsubscribe_hash");

-- CreateIndex
CREATE INDEX "card_collection_items_printing_id_idx" ON "card_collection_items"("printing_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_collection_items_user_id_printing_id_condition_finish__key" ON "card_collection_items"("user_id", "printing_id", "condition", "finish", "language");

-- CreateIndex
CREATE UNIQUE INDEX "card_haves_collection_item_id_key" ON "card_haves"("collection_item_id");

-- CreateIndex
CREATE INDEX "card_haves_user_id_idx" ON "card_haves"("user_id");

-- CreateIndex
CREATE INDEX "card_wants_printing_id_idx" ON "card_wants"("printing_id");

-- CreateIndex
CREATE INDEX "card_wants_oracle_id_idx" ON "card_wants"("oracle_id");

-- CreateIndex
CREATE INDEX "card_wants_user_id_idx" ON "card_wants"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_wants_user_id_printing_id_any_printing_foil_required_key" ON "card_wants"("user_id", "printing_id", "any_printing", "foil_required");

-- AddForeignKey
ALTER TABLE "card_collection_items" ADD CONSTRAINT "card_collection_items_printing_id_fkey" FOREIGN KEY ("printing_id") REFERENCES "card_printings"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "card_haves" ADD CONSTRAINT "card_haves_collection_item_id_fkey" FOREIGN KEY ("collection_item_id") REFERENCES "card_collection_items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "card_wants" ADD CONSTRAINT "card_wants_printing_id_fkey" FOREIGN KEY ("printing_id") REFERENCES "card_printings"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "card_settings" ADD CONSTRAINT "card_settings_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express.
ALTER TABLE "card_collection_items"
    ADD CONSTRAINT "card_collection_items_quantity_check" CHECK ("quantity" >= 0),
    ADD CONSTRAINT "card_collection_items_reserved_check" CHECK ("reserved" >= 0 AND "reserved" <= "quantity"),
    ADD CONSTRAINT "card_collection_items_condition_check" CHECK ("condition" IN ('NM', 'LP', 'MP', 'HP', 'DMG')),
    ADD CONSTRAINT "card_collection_items_finish_check" CHECK ("finish" IN ('nonfoil', 'foil', 'etched'));
ALTER TABLE "card_haves"
    ADD CONSTRAINT "card_haves_quantity_check" CHECK ("quantity" >= 1),
    ADD CONSTRAINT "card_haves_min_value_check" CHECK ("min_value_cents" IS NULL OR "min_value_cents" >= 0);
ALTER TABLE "card_wants"
    ADD CONSTRAINT "card_wants_quantity_check" CHECK ("quantity" >= 1),
    ADD CONSTRAINT "card_wants_priority_check" CHECK ("priority" BETWEEN 1 AND 5),
    ADD CONSTRAINT "card_wants_min_condition_check" CHECK ("min_condition" IN ('NM', 'LP', 'MP', 'HP', 'DMG')),
    ADD CONSTRAINT "card_wants_max_price_check" CHECK ("max_price_cents" IS NULL OR "max_price_cents" >= 0);
ALTER TABLE "card_traders"
    ADD CONSTRAINT "card_traders_notify_via_check" CHECK ("notify_via" IN ('email', 'dm', 'both', 'none'));
ALTER TABLE "card_settings"
    ADD CONSTRAINT "card_settings_expiry_check" CHECK ("proposal_expiry_hours" BETWEEN 1 AND 720),
    ADD CONSTRAINT "card_settings_reminder_check" CHECK ("reminder_hours" >= 0 AND "reminder_hours" < "proposal_expiry_hours");
-- Case-insensitive name lookups and prefix search served from the cache.
CREATE INDEX "card_printings_name_lower_idx" ON "card_printings" (lower("name") text_pattern_ops);
