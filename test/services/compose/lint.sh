#!/usr/bin/env bash
# Validate /docker-compose.yml without Docker: parse it with the compose_spec library (PyPI package
# compose-spec, bindings of the Rust compose_spec crate), which rejects unknown keys and bad values.
# Usage: test/services/compose/lint.sh [FILE]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FILE="${1:-$HERE/../../../docker-compose.yml}"
VENV="${TRIBUTARY_CACHE:-$HOME/.cache/tributary}/dist/compose-lint-0.2.1"

if [[ ! -x $VENV/bin/python ]]; then
  rm -rf "$VENV.tmp"
  python3 -m venv "$VENV.tmp" && "$VENV.tmp/bin/pip" install -q compose-spec==0.2.1
  rm -rf "$VENV" && mv "$VENV.tmp" "$VENV" # bin/python still works after the move
fi
"$VENV/bin/python" - "$FILE" <<'EOF'
import sys
from compose_spec import PyCompose
compose = PyCompose.from_yaml(open(sys.argv[1]).read())
compose.validate()
print(f"{sys.argv[1]}: valid, services: {', '.join(compose.service_names())}")
EOF
