#!/usr/bin/env bash
# Installs the real client programs some end-to-end tests drive (idempotent; Debian packages).
# Usage: test/services/clients.sh syslog
#   syslog: util-linux `logger` (bsdutils), rsyslog with its TLS driver, openssl
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
  *) echo "usage: $0 syslog" >&2; exit 2 ;;
esac
