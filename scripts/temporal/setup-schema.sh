#!/bin/sh
# Creates (or brings up to date) the Temporal server's two PostgreSQL databases: its store and its
# visibility. Safe to run again: every step skips what is already there. `npm run cluster`
# (lib/dev/temporal-cluster.ts) runs it before starting nodes, docker-compose.yml's temporal-schema job
# runs it in the temporalio/admin-tools image. The schemas are the ones built into temporal-sql-tool,
# so the tool's version is the schema's version.
#
# Environment (the same names as config/guildflow.yaml): POSTGRES_SEEDS, DB_PORT, POSTGRES_USER,
# POSTGRES_PWD, DBNAME, VISIBILITY_DBNAME; TEMPORAL_SQL_TOOL (default: temporal-sql-tool on PATH).
set -eu

: "${POSTGRES_SEEDS:?the PostgreSQL host}"
: "${POSTGRES_USER:?the PostgreSQL user}"
sql_tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}

# The password goes through the environment (SQL_PASSWORD), never the command line.
export SQL_PASSWORD="${POSTGRES_PWD:-}"

setup() {
  db=$1 schema=$2
  set -- "$sql_tool" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" --db "$db"
  "$@" create-database
  "$@" setup-schema -v 0.0
  "$@" update-schema --schema-name "postgresql/v12/$schema"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
