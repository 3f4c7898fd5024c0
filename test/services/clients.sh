#!/usr/bin/env bash
# Installs the real client programs some end-to-end tests drive (idempotent; Debian packages).
# Usage: test/services/clients.sh syslog|pyarrow
#   syslog: util-linux `logger` (bsdutils), rsyslog with its TLS driver, openssl
#   pyarrow: Apache Arrow's Python library from PyPI, installed once into the cache; prints the directory
#            to put on PYTHONPATH
set -euo pipefail
SVC=clients
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  syslog)
    if command -v logger >/dev/null && command -v rsyslogd >/dev/null && command -v openssl >/dev/null &&
      [[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so || -n $(find /usr/lib -name 'lmnsd_ossl.so' -print -quit 2>/dev/null) ]]; then
      exit 0
    fi
    apt_install bsdutils rsyslog rsyslog-openssl openssl
    ;;
  pyarrow)
    PYARROW_VERSION=26.0.1
    dest="$DIST_ROOT/pyarrow-$PYARROW_VERSION"
    if [[ ! -f $dest/.complete ]]; then
      need_cmd python3 python3
      python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
      log "pip install pyarrow $PYARROW_VERSION into $dest (first run only)"
      mkdir -p "$DIST_ROOT"
      flock "$CACHE/.pip.lock" python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --target "$dest.tmp.$$" "pyarrow==$PYARROW_VERSION" >&2 ||
        die "pip install pyarrow failed"
      touch "$dest.tmp.$$/.complete"
      rm -rf "$dest" && mv "$dest.tmp.$$" "$dest"
    fi
    echo "$dest"
    ;;
  *) echo "usage: $0 syslog|pyarrow" >&2; exit 2 ;;
esac
