#!/usr/bin/env bash
# Start test services on 127.0.0.1 (idempotent: a service that is already up is left alone).
# Usage: test/services/up.sh <kafka|postgres|elasticsearch|cassandra|s3|schema-registry|all> [...]
# Services start one after another (in the order given; on 2 cores parallel JVM starts are no
# faster). TRIBUTARY_SERVICES_PARALLEL=1 starts them at once, which saves time on a first run
# (MinIO's Go build overlaps the Maven downloads; Maven and apt are serialized by locks).
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL="kafka postgres s3 elasticsearch cassandra schema-registry"

[[ $# -gt 0 ]] || { echo "usage: $0 <${ALL// /|}|all> [...]" >&2; exit 2; }
svcs=()
for a in "$@"; do
  case "$a" in
    all) read -ra more <<<"$ALL"; svcs+=("${more[@]}") ;;
    kafka | postgres | elasticsearch | cassandra | s3 | schema-registry) svcs+=("$a") ;;
    *) echo "unknown service: $a (expected one of: $ALL all)" >&2; exit 2 ;;
  esac
done
# drop duplicates, keep order
read -ra svcs <<<"$(printf '%s\n' "${svcs[@]}" | awk '!seen[$0]++' | tr '\n' ' ')"

if [[ ${#svcs[@]} -eq 1 || -z ${TRIBUTARY_SERVICES_PARALLEL:-} ]]; then
  for s in "${svcs[@]}"; do bash "$DIR/$s.sh" up; done
  exit 0
fi
pids=()
for s in "${svcs[@]}"; do
  bash "$DIR/$s.sh" up &
  pids+=($!)
done
rc=0
for i in "${!svcs[@]}"; do
  wait "${pids[$i]}" || { echo "[${svcs[$i]}] FAILED to come up" >&2; rc=1; }
done
exit $rc
