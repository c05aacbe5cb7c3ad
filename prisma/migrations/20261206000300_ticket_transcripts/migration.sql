-- CreateTable
CREATE TABLE "ticket_transcripts" (
    "id" SERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "ticket_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "build_id" UUID,
    "messages" INTEGER NOT NULL DEFAULT 0,
    "attachments" INTEGER NOT NULL DEFAULT 0,
    "html_bytes" INTEGER NOT NULL DEFAULT 0,
    "json_bytes" INTEGER NOT NULL DEFAULT 0,
    "html_chunks" INTEGER NOT NULL DEFAULT 0,
    "json_chunks" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "built_at" TIMESTAMPTZ(3),

    CONSTRAINT "ticket_transcripts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_transcript_chunks" (
    "transcript_id" INTEGER NOT NULL,
    "build_id" UUID NOT NULL,
    "format" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "body" TEXT NOT NULL,

    CONSTRAINT "ticket_transcript_chunks_pkey" PRIMARY KEY ("transcript_id","build_id","format","seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "ticket_transcripts_guild_id_ticket_id_key" ON "ticket_transcripts"("guild_id", "ticket_id");

-- AddForeignKey
ALTER TABLE "ticket_transcripts" ADD CONSTRAINT "ticket_transcripts_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_transcript_chunks" ADD CONSTRAINT "ticket_transcript_chunks_transcript_id_fkey" FOREIGN KEY ("transcript_id") REFERENCES "ticket_transcripts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants Prisma cannot express.
ALTER TABLE "ticket_transcript_chunks" ADD CONSTRAINT "ticket_transcript_chunks_format_check" CHECK ("format" IN ('html', 'json'));
ALTER TABLE "ticket_transcript_chunks" ADD CONSTRAINT "ticket_transcript_chunks_seq_check" CHECK ("seq" >= 0);
ALTER TABLE "ticket_transcripts" ADD CONSTRAINT "ticket_transcripts_counts_check" CHECK ("messages" >= 0 AND "attachments" >= 0 AND "html_bytes" >= 0 AND "json_bytes" >= 0 AND "html_chunks" >= 0 AND "json_chunks" >= 0);
