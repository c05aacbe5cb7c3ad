-- CreateTable
CREATE TABLE "member_grants" (
    "id" SERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "permission" TEXT NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "granted_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "member_grants_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "member_grants_guild_id_permission_subject_type_subject_id_key" ON "member_grants"("guild_id", "permission", "subject_type", "subject_id");

-- AddForeignKey
ALTER TABLE "member_grants" ADD CONSTRAINT "member_grants_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A grant is held by a member or by a role; nothing else.
ALTER TABLE "member_grants" ADD CONSTRAINT "member_grants_subject_type_check" CHECK ("subject_type" IN ('user', 'role'));
