-- AlterTable
ALTER TABLE "announcements" ADD COLUMN     "footer" TEXT,
ADD COLUMN     "unpinned_at" TIMESTAMPTZ(3),
ADD COLUMN     "unpinned_by" TEXT;

-- CreateTable
CREATE TABLE "saved_embeds" (
    "id" SERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "colour" INTEGER,
    "image_url" TEXT,
    "footer" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "saved_embeds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "embed_drafts" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "colour" INTEGER,
    "image_url" TEXT,
    "footer" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embed_drafts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "saved_embeds_guild_id_name_key" ON "saved_embeds"("guild_id", "name");

-- AddForeignKey
ALTER TABLE "saved_embeds" ADD CONSTRAINT "saved_embeds_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "embed_drafts" ADD CONSTRAINT "embed_drafts_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Discord's limits, also enforced by the service: a slug name, a 24-bit colour.
ALTER TABLE "saved_embeds" ADD CONSTRAINT "saved_embeds_name_slug" CHECK ("name" ~ '^[a-z0-9][a-z0-9_-]{0,31}$');
ALTER TABLE "saved_embeds" ADD CONSTRAINT "saved_embeds_colour_range" CHECK ("colour" IS NULL OR "colour" BETWEEN 0 AND 16777215);
