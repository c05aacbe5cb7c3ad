-- AlterTable
ALTER TABLE "guild_settings" ADD COLUMN     "disabled_features" TEXT[] DEFAULT ARRAY[]::TEXT[];
