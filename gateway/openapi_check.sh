#!/usr/bin/env bash
# The gateway's generated OpenAPI document is valid OpenAPI 3.0 (checked by a real validator,
# npm's @seriousme/openapi-schema-validator, pinned in gateway/openapi-check).
#   gateway/openapi_check.sh PATH/TO/sla-gateway
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gateway=$1
cd "$here/openapi-check"
[ -d node_modules/@seriousme ] || npm ci --silent --no-audit --no-fund --ignore-scripts
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$gateway" --print_openapi >"$out"
node validate.mjs "$out"
