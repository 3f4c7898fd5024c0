#!/usr/bin/env bash
# Stop test services. With --wipe also delete their data dirs.
# Usage: test/services/down.sh <kafka|postgres|elasticsearch|cassandra|s3|schema-registry|all> [...] [--wipe]
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL="kafka postgres s3 elasticsearch cassandra schema-registry"

svcs=()
wipe=()
for a in "$@"; do
  case "$a" in
    --wipe) wipe=(--wipe) ;;
    all) read -ra more <<<"$ALL"; svcs+=("${more[@]}") ;;
    kafka | postgres | elasticsearch | cassandra | s3 | schema-registry) svcs+=("$a") ;;
    *) echo "unknown argument: $a (expected one of: $ALL all --wipe)" >&2; exit 2 ;;
  esac
done
[[ ${#svcs[@]} -gt 0 ]] || { echo "usage: $0 <${ALL// /|}|all> [...] [--wipe]" >&2; exit 2; }
rc=0
for s in "${svcs[@]}"; do
  bash "$DIR/$s.sh" down "${wipe[@]}" || rc=1
done
exit $rc
