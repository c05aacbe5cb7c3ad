-- The person an API token acts for (reviews, audit, the adjustment budget, the owner's level check).
ALTER TABLE "api_tokens" ADD COLUMN "owner_user_id" TEXT;

-- Backfill: tokens minted in Discord belong to their minter; tokens minted by a token inherit the owner
-- of the token that minted them, down the chain. Tokens the operator minted (CLI) stay without one.
WITH RECURSIVE "owners" AS (
    SELECT "id", substring("created_by" FROM 9) AS "owner_user_id"
    FROM "api_tokens" WHERE "created_by" LIKE 'discord:%'
  UNION ALL
    SELECT "t"."id", "o"."owner_user_id"
    FROM "api_tokens" "t" JOIN "owners" "o" ON "t"."created_by" = 'token:' || "o"."id"
)
UPDATE "api_tokens" SET "owner_user_id" = "owners"."owner_user_id"
FROM "owners" WHERE "api_tokens"."id" = "owners"."id";
