#!/bin/sh
# Creates a namespace on a running Temporal server and registers the search attributes Guildflow's
# workflows set, skipping what exists. `npm run cluster` (lib/dev/temporal-cluster.ts) runs it with the
# list from lib/search-attributes.ts; docker-compose.yml's temporal-setup job with the same list
# (test/deploy/compose.test.ts checks they agree).
#
# Environment: TEMPORAL_ADDRESS (host:port of a frontend), NAMESPACE (default: default),
# SEARCH_ATTRIBUTES ("Name=Type Name=Type …"), TEMPORAL_CLI (default: temporal on PATH).
set -eu

: "${TEMPORAL_ADDRESS:?host:port of the Temporal frontend}"
namespace=${NAMESPACE:-default}
cli=${TEMPORAL_CLI:-temporal}

"$cli" operator namespace describe --namespace "$namespace" >/dev/null 2>&1 ||
  "$cli" operator namespace create --namespace "$namespace" --retention 720h

# A new namespace reaches the frontend's cache within its refresh interval (10 s): until then the
# search-attribute calls answer "namespace not found".
tries=0
until existing=$("$cli" operator search-attribute list --namespace "$namespace" 2>&1); do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "$existing" >&2; exit 1; }
  sleep 1
done

for pair in ${SEARCH_ATTRIBUTES:-}; do
  name=${pair%%=*} type=${pair#*=}
  echo "$existing" | grep -qw "$name" ||
    "$cli" operator search-attribute create --namespace "$namespace" --name "$name" --type "$type"
done
