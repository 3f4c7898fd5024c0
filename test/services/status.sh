#!/usr/bin/env bash
# Show which test services are up. Usage: test/services/status.sh [service...]   (default: all)
# Exit code 0 when every listed service is up, 3 otherwise.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL="kafka postgres s3 elasticsearch cassandra schema-registry"

# shellcheck disable=SC2086
[[ $# -gt 0 && $1 != all ]] || set -- $ALL
rc=0
for s in "$@"; do
  [[ -f $DIR/$s.sh ]] || { echo "unknown service: $s" >&2; exit 2; }
  bash "$DIR/$s.sh" status || rc=3
done
exit $rc
